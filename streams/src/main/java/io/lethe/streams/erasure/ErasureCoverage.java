package io.lethe.streams.erasure;

import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.TrainingExample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which examples an erasure request covers. A request sets watermarks (one per key it names, at its
 * request time); an example is covered when one of its coverage keys has a watermark at or after its
 * event time. Examples and erasures travel on different topics, so an example produced before a
 * request can reach the learner after it: the watermark covers it all the same.
 */
public final class ErasureCoverage {

    /** Separates subject and example id in an example's key, so a subject's examples are one prefix. */
    public static final char KEY_SEPARATOR = '\u0000';

    private ErasureCoverage() {
    }

    /** An example's key: {@code subject \0 example id}. */
    public static String exampleKey(TrainingExample example) {
        return example.getSubjectId() + KEY_SEPARATOR + example.getExampleId();
    }

    /** The watermark keys that could cover an example. */
    public static String[] coverageKeys(TrainingExample example) {
        return new String[] {"subject:" + example.getSubjectId(), "class:" + example.getLabel(),
                "task:" + example.getTask(), "example:" + exampleKey(example),
                "example:" + KEY_SEPARATOR + example.getExampleId()};
    }

    /** The watermark keys a (valid) request sets. */
    public static List<String> watermarkKeys(ErasureRequest request) {
        List<String> keys = new ArrayList<>();
        switch (request.getScope()) {
            case SUBJECT -> keys.add("subject:" + request.getSubjectId());
            case CLASS -> keys.add("class:" + request.getClassLabel());
            case TASK -> keys.add("task:" + request.getTask());
            case EXAMPLES -> {
                String subject = request.getSubjectId() == null ? "" : request.getSubjectId();
                request.getExampleIds().forEach(id -> keys.add("example:" + subject + KEY_SEPARATOR + id));
            }
            default -> {
                // Rejected by the validator.
            }
        }
        return keys;
    }

    /**
     * Whether a recorded watermark covers the example; {@code watermark} looks a key up (null when
     * none was set).
     */
    public static boolean covered(TrainingExample example, Function<String, Long> watermark) {
        long eventTime = example.getEventTime().toEpochMilli();
        for (String key : coverageKeys(example)) {
            Long requestedAt = watermark.apply(key);
            if (requestedAt != null && eventTime <= requestedAt) {
                return true;
            }
        }
        return false;
    }
}
