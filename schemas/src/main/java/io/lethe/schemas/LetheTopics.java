package io.lethe.schemas;

import java.util.List;

/** Topic names and what each carries (values in Avro single-object encoding). */
public final class LetheTopics {

    /** {@link TrainingExample}, keyed by subject id. */
    public static final String EXAMPLES = "lethe.examples";
    /** {@link ErasureRequest}, keyed by subject id (or the scope for class and task erasures). */
    public static final String ERASURES = "lethe.erasures";
    /**
     * {@link ModelVersion}, keyed by {@link #modelVersionKey} (model and version), compacted: when a
     * version is revoked because it contains erased data, its entry is replaced by a tombstone, so
     * readers from the beginning never see it once the topic is compacted.
     */
    public static final String MODEL_VERSIONS = "lethe.model-versions";
    /** {@link ErasureReceipt}, keyed by request id. */
    public static final String ERASURE_RECEIPTS = "lethe.erasure-receipts";
    /** {@link EvaluationReport}, keyed by model name. */
    public static final String EVALUATIONS = "lethe.evaluations";
    /** {@link DeadLetter}, keyed like the rejected record. */
    public static final String DEAD_LETTERS = "lethe.dead-letters";
    /**
     * {@link TrainingExample} held out for continual evaluation (operator-provided test data, per
     * task; never learned), one partition, keyed by task.
     */
    public static final String EVAL_EXAMPLES = "lethe.eval-examples";
    /**
     * The key of a record with no value that Lethe's purger writes to a transit partition (input or
     * command topic) that every reader has consumed and that has been idle for a segment period: the
     * append rolls the partition's segment, so that the purged records leave the broker's disk (Kafka
     * never deletes a partition's active segment). Readers skip it.
     */
    public static final String SEGMENT_ROLL_KEY = "lethe.segment-roll";

    /** The key of a version's entry on {@link #MODEL_VERSIONS}. */
    public static String modelVersionKey(String modelName, long version) {
        return modelName + "@v" + version;
    }

    /** Whether a record is such a marker. */
    public static boolean isSegmentRoll(String key, byte[] value) {
        return value == null && SEGMENT_ROLL_KEY.equals(key);
    }

    /** The shared topics, every model's: producers, subscribers and dashboards use these. */
    public static final List<String> ALL = List.of(EXAMPLES, ERASURES, MODEL_VERSIONS, ERASURE_RECEIPTS,
            EVALUATIONS, DEAD_LETTERS, EVAL_EXAMPLES);

    /**
     * Internal, one per application (so per model): {@link LearnerCommand} from validation to the
     * model's single learner, one partition. Never shared: two models reading one command topic would
     * each receive the other's copy of every request.
     */
    public static String learnerCommands(String applicationId) {
        return "lethe.learner-commands." + applicationId;
    }

    private LetheTopics() {
    }
}
