package io.lethe.streams.topology;

/** State store names (their changelog topics are named after them). */
public final class StoreNames {

    /** subject \0 example id -> the TrainingExample's Avro bytes: what unlearning needs, deleted on erasure. */
    public static final String RETAINED_EXAMPLES = "retained-examples";
    /** sequence number -> learn/unlearn event since the last learner snapshot. */
    public static final String LEARNER_JOURNAL = "learner-journal";
    /** counters: journal sequence, snapshot sequence, model version, examples learned. */
    public static final String LEARNER_META = "learner-meta";

    private StoreNames() {
    }
}
