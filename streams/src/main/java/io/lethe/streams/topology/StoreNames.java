package io.lethe.streams.topology;

/** State store names (their changelog topics are named after them). */
public final class StoreNames {

    /** subject \0 example id -> the TrainingExample's Avro bytes: what unlearning needs, deleted on erasure. */
    public static final String RETAINED_EXAMPLES = "retained-examples";
    /** sequence number -> learn/unlearn event since the last learner snapshot. */
    public static final String LEARNER_JOURNAL = "learner-journal";
    /**
     * What each erasure covers, for examples that reach the learner after it: "subject:", "class:",
     * "task:" or "example:" + id -> the latest requested_at (epoch ms). An example whose event time is
     * not after a matching entry is never learned.
     */
    public static final String ERASURE_WATERMARKS = "erasure-watermarks";
    /** counters: journal sequence, snapshot sequence, model version, examples learned. */
    public static final String LEARNER_META = "learner-meta";

    /**
     * Gradient learner only: subject \0 example id -> what the replay buffer holds (task or
     * pseudo-task, offers seen, the TrainingExample's Avro bytes). Erasure deletes entries, which
     * writes tombstones to its changelog.
     */
    public static final String REPLAY_BUFFER = "replay-buffer";

    /**
     * request id -> examples it removed, for erasures inside a batching window (gradient learner):
     * their state is purged at once, their receipts wait for the window's single unlearning run.
     */
    public static final String PENDING_ERASURES = "pending-erasures";

    /** task \0 example id -> an evaluation example (never learned), for continual evaluation. */
    public static final String EVALUATION_SETS = "evaluation-sets";

    /**
     * subject reference -> its data key, wrapped by the key-encryption key (see
     * {@link io.lethe.streams.privacy.SubjectKeys}). In memory, changelogged: a destroyed key leaves no
     * RocksDB file behind, and its changelog record is compacted away within lethe.topic.segment.ms.
     */
    public static final String SUBJECT_KEYS = "subject-keys";

    private StoreNames() {
    }
}
