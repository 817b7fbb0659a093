package io.lethe.streams.topology;

import io.lethe.learning.Learner;
import io.lethe.schemas.TrainingExample;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * What {@link ModelLearnerProcessor} needs of a learner, so that one processor (journal, snapshots,
 * erasure matching, receipts, versions) serves both the exact analytic learner and the gradient
 * learner with replay.
 */
interface LearningEngine extends AutoCloseable {

    /** How an erasure was verified, for its receipt. */
    record Verification(String method, Double residual, String description, java.util.Map<String, Double> metrics) {
    }

    /**
     * Connects to the engine's own state stores, if any, and restores what they hold; values that hold
     * a subject's data are sealed with {@code keys}.
     */
    void init(ProcessorContext<?, ?> context, io.lethe.streams.privacy.SubjectKeys keys);

    /**
     * Learns examples. {@code fresh} is false when committed input is re-learned on restart: any
     * state the engine keeps in stores already reflects it.
     */
    void learn(List<TrainingExample> examples, boolean fresh);

    /**
     * Predictions for an evaluation set. The same batch object comes back at every evaluation until
     * the set changes, so an engine may cache what depends only on the inputs.
     */
    default int[] predictEvaluation(io.lethe.learning.LabeledBatch batch) {
        return learner().predict(batch.inputs());
    }

    /** Whether the example is held out for evaluation (stored, never learned). */
    default boolean holdsOut(TrainingExample example) {
        return false;
    }

    /** Keeps a held-out example for evaluation. */
    default void holdOut(TrainingExample example) {
    }

    /** Deletes erased examples from the engine's own stores at once, before their unlearning runs. */
    default void purge(List<TrainingExample> examples) {
    }

    /** Removes the influence of examples that were learned (and purges them from engine stores). */
    void unlearn(List<TrainingExample> examples);

    /**
     * While the journal is replayed, the retained store already holds examples the journal learns
     * only later: an unlearning that reads the store (remain data, exact retraining) must not see
     * them, or they would be learned twice. The set shrinks as the replay learns them; empty once done.
     */
    default void learnedLater(java.util.Set<String> exampleKeys) {
    }

    Verification verify(int removed);

    /** Called once the learner was restored (snapshot plus journal), before the first new input. */
    default void restored() {
    }

    /** Called when the input is idle: a chance to do deferred work. */
    void onIdle();

    /** What the next checkpoint holds: the model as it predicts now, without working state. */
    io.lethe.learning.Predictor predictor();

    /** The learner's kind, for provenance (analytic-ridge, mlp, cnn). */
    String kind();

    /** Stream examples per learning step. */
    int batchSize();

    /** The settings that shape the model, for each version's lineage. */
    java.util.Map<String, String> describe();

    /** The learner whose state the snapshots hold. */
    Learner learner();

    /** Every seed that determines the model, by name, for provenance. */
    java.util.Map<String, Long> seeds();

    /** Runs the numeric paths once on scratch data, so the first real request does not pay for JIT. */
    void warmUp();

    /** Releases what the engine holds beyond its model (a thread of its own, say); nothing by default. */
    @Override
    default void close() {
    }
}
