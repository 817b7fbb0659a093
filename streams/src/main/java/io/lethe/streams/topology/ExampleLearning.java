package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.TrainingExample;
import io.lethe.schemas.VersionTrigger;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.metrics.LetheMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * The learning half of the model's single writer: takes each new example (once per id, never one an
 * erasure covers), journals it, learns in batches of {@code lethe.learn.batch.size}, publishes a
 * version every {@code lethe.publish.every.examples} (and when asked) and evaluates on cadence.
 */
final class ExampleLearning {

    private final LetheConfig config;
    private final LearningEngine engine;
    private final RetainedExamples retained;
    private final DurableLearner durable;
    private final VersionPublisher versions;
    private final LearnerEvaluations evaluations;
    private final LearnerOutputs outputs;
    private final LetheMetrics metrics;
    /** Whether a version after an erasure snapshots the learner at once (the engine's capability). */
    private final boolean snapshotAfterErasure;
    private final List<TrainingExample> pending = new ArrayList<>();
    private ErasureWindow window;
    private long examplesLearned;
    private long examplesSincePublish;
    private int newestTask;

    ExampleLearning(LetheConfig config, LearningEngine engine, RetainedExamples retained, DurableLearner durable,
                    VersionPublisher versions, LearnerEvaluations evaluations, LearnerOutputs outputs, LetheMetrics metrics,
                    boolean snapshotAfterErasure, long examplesLearned) {
        this.config = config;
        this.engine = engine;
        this.retained = retained;
        this.durable = durable;
        this.versions = versions;
        this.evaluations = evaluations;
        this.outputs = outputs;
        this.metrics = metrics;
        this.snapshotAfterErasure = snapshotAfterErasure;
        this.examplesLearned = examplesLearned;
    }

    /** The erasure window, whose unlearning-in-waiting keeps the journal from being cut. */
    void watch(ErasureWindow erasureWindow) {
        this.window = erasureWindow;
    }

    /** The input position of a command, whatever it holds: each version names the input it covers. */
    void consumed(SourcePosition source) {
        versions.consumed(source);
    }

    void onExample(TrainingExample example, SourcePosition source) {
        String key = RetainedExamples.key(example);
        if (retained.contains(key) || retained.coveredByAnErasure(example)) {
            return; // a re-delivered example id is learned once; an erased one never
        }
        retained.put(key, example, AvroCodec.TRAINING_EXAMPLE.encode(example));
        if (engine.holdsOut(example)) {
            engine.holdOut(example); // stored (so erasures find it), never learned: held-out evaluation data
            return;
        }
        durable.learned(key, source);
        pending.add(example);
        examplesLearned++;
        examplesSincePublish++;
        boolean evaluationDue = evaluations.learnedOneDue();
        newestTask = Math.max(newestTask, example.getTask());
        if (pending.size() >= engine.batchSize()) {
            flushPending();
        }
        if (examplesSincePublish >= config.publishEveryExamples()) {
            publish(VersionTrigger.EXAMPLES_LEARNED);
        }
        if (evaluationDue) {
            evaluate(false);
        }
    }

    void flushPending() {
        if (!pending.isEmpty()) {
            engine.learn(pending, true);
            pending.clear();
        }
    }

    /** Publishes what was learned since the last version, if anything (input has paused); true if it did. */
    boolean publishIfBehind() {
        if (examplesSincePublish > 0 || !pending.isEmpty()) {
            publish(VersionTrigger.FLUSH);
            return true;
        }
        return false;
    }

    void publish(VersionTrigger trigger) {
        flushPending();
        ModelVersion event = versions.publish(trigger, engine, examplesLearned);
        durable.versionPublished(event.getVersion(), examplesLearned);
        metrics.versionPublished(config.modelName(), event.getVersion(), examplesLearned, engine.learner().retainedExamples());
        outputs.version(event);
        examplesSincePublish = 0;
        boolean afterErasure = trigger == VersionTrigger.ERASURE;
        // A periodic snapshot (tens of megabytes, sealed and synced) is not taken on an erasure's path,
        // where it would land in the receipt's latency, nor with the version published when input pauses,
        // which becomes visible only when the round commits: the next idle tick or the next version takes it.
        boolean snapshotNow = afterErasure ? snapshotAfterErasure : trigger != VersionTrigger.FLUSH;
        if (snapshotNow && (window == null || !window.holdsUnlearnedExamples())) {
            durable.maybeSnapshot(versions.offsets(), afterErasure); // the window's examples stay in the journal
        }
    }

    /** When input pauses at a version boundary: the periodic snapshot, if one is due. */
    void snapshotIfDueAtIdle() {
        if (examplesSincePublish == 0 && pending.isEmpty() && (window == null || !window.holdsUnlearnedExamples())) {
            durable.maybeSnapshot(versions.offsets(), false);
        }
    }

    /**
     * Evaluates the live model now. Examples waiting for their batch are not forced in (that would
     * change the model against a run without evaluation): the report's step counts what it learned.
     */
    void evaluate(boolean afterErasure) {
        outputs.evaluation(evaluations.evaluate(engine, versions.version(), examplesLearned - pending.size(), newestTask,
                afterErasure));
    }

    long examplesLearned() {
        return examplesLearned;
    }
}
