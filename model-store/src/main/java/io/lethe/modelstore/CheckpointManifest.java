package io.lethe.modelstore;

import java.util.List;
import java.util.Map;

/**
 * Provenance of one published model version, stored beside its checkpoint.
 *
 * @param modelName model the version belongs to
 * @param version monotonically increasing version number
 * @param parentVersion the version this one was derived from (null for the first)
 * @param sha256 hex content hash of the checkpoint file (also its name)
 * @param sizeBytes checkpoint file size
 * @param trigger why it was published (EXAMPLES_LEARNED, ERASURE, FLUSH)
 * @param createdAtMillis wall-clock publication time
 * @param inputOffsets highest learned offset per "topic-partition"
 * @param erasureRequestIds erasures applied since the parent version
 * @param examplesLearned learn events applied over the model's life
 * @param examplesRetained examples the model contains
 * @param learnerConfig the learner's configuration
 * @param seed the feature map seed
 */
public record CheckpointManifest(String modelName, long version, Long parentVersion, String sha256, long sizeBytes,
                                 String trigger, long createdAtMillis, Map<String, Long> inputOffsets,
                                 List<String> erasureRequestIds, long examplesLearned, long examplesRetained,
                                 Map<String, String> learnerConfig, long seed) {
}
