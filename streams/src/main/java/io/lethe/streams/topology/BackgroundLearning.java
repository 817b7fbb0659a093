package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.Predictor;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.privacy.SubjectKeys;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Learns a batch of new examples on a thread of its own while the stream thread goes on with Kafka
 * work (fetching, decoding, storing and journalling the next batch, committing); every other call
 * first waits for that batch, so whatever reads or changes the learner (an unlearning, a version, an
 * evaluation, a snapshot, idle work) sees every example handed to it before, in order, as if learning
 * had run inline.
 *
 * <p>Nothing durable depends on the batch having finished: the journal and the retained store are
 * written on the stream thread before the batch is handed over, and the learner's own state is only
 * written at a snapshot, which waits. One batch is in flight at most (two, measured, were no faster:
 * the learner, not the stream thread, is the slower of the two); a failure in it is thrown at the
 * next call, on the stream thread.
 */
final class BackgroundLearning implements LearningEngine {

    private final LearningEngine engine;
    private final ExecutorService thread;
    private Future<?> inFlight;

    BackgroundLearning(LearningEngine engine, String name) {
        this.engine = engine;
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits for the batch in flight, if any; its failure is thrown here. */
    void await() {
        if (inFlight == null) {
            return;
        }
        Future<?> batch = inFlight;
        inFlight = null;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    batch.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the learner must not run ahead of a batch it has not finished
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("background learning failed", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void learn(List<TrainingExample> examples, boolean fresh) {
        await();
        if (!fresh) {
            engine.learn(examples, false); // a restart's replay: nothing else to overlap with
            return;
        }
        List<TrainingExample> batch = List.copyOf(examples); // the caller clears its list
        inFlight = thread.submit(() -> engine.learn(batch, true));
    }

    @Override
    public void init(ProcessorContext<?, ?> context, SubjectKeys keys) {
        await();
        engine.init(context, keys);
    }

    @Override
    public int[] predictEvaluation(LabeledBatch batch) {
        await();
        return engine.predictEvaluation(batch);
    }

    @Override
    public boolean holdsOut(TrainingExample example) {
        return engine.holdsOut(example); // a rule on the example alone, not the learner's state
    }

    @Override
    public void holdOut(TrainingExample example) {
        await();
        engine.holdOut(example);
    }

    @Override
    public void purge(List<TrainingExample> examples) {
        await();
        engine.purge(examples);
    }

    @Override
    public void unlearn(List<TrainingExample> examples) {
        await();
        engine.unlearn(examples);
    }

    @Override
    public void learnedLater(Set<String> exampleKeys) {
        await();
        engine.learnedLater(exampleKeys);
    }

    @Override
    public Verification verify(int removed) {
        await();
        return engine.verify(removed);
    }

    @Override
    public void restored() {
        await();
        engine.restored();
    }

    @Override
    public void onIdle() {
        await();
        engine.onIdle();
    }

    @Override
    public Predictor predictor() {
        await();
        return engine.predictor();
    }

    @Override
    public String kind() {
        return engine.kind();
    }

    @Override
    public int batchSize() {
        return engine.batchSize();
    }

    @Override
    public Map<String, String> describe() {
        await();
        return engine.describe();
    }

    @Override
    public Learner learner() {
        await();
        return engine.learner();
    }

    @Override
    public Map<String, Long> seeds() {
        await();
        return engine.seeds();
    }

    @Override
    public void warmUp() {
        await();
        engine.warmUp();
    }

    /** Finishes the batch in flight, then stops the thread and closes the engine. */
    @Override
    public void close() {
        try {
            await();
        } finally {
            thread.shutdown();
            engine.close();
        }
    }
}
