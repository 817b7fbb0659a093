package io.lethe.learning.replay;

import java.util.Objects;

/**
 * One stored example and what the policies need to know about it.
 *
 * @param exampleId unique id (erasure by example)
 * @param subjectId owner (erasure by subject)
 * @param task task it came from
 * @param label class label
 * @param sizeBytes bytes it occupies
 * @param payload the stored data
 */
public record ReplayItem<T>(String exampleId, String subjectId, int task, int label, int sizeBytes, T payload) {

    public ReplayItem {
        Objects.requireNonNull(exampleId, "exampleId");
        Objects.requireNonNull(subjectId, "subjectId");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must be >= 0, got " + sizeBytes);
        }
    }
}
