package io.lethe.modelstore;

import java.util.List;
import java.util.Map;

/**
 * Where one model version comes from: the single lineage record of a version. The checkpoint's
 * envelope, its manifest and the {@code ModelVersion} event on Kafka are all written from this one
 * value, so they cannot disagree.
 *
 * @param modelName model the version belongs to
 * @param version monotonically increasing version number
 * @param parentVersion the version this one was derived from (null for the first)
 * @param trigger why it was published (EXAMPLES_LEARNED, ERASURE, FLUSH)
 * @param createdAtMillis wall-clock publication time
 * @param inputOffsets highest learned offset per "topic-partition"
 * @param erasureRequestIds erasures applied since the parent version
 * @param examplesLearned learn events applied over the model's life
 * @param examplesRetained examples the model contains
 * @param learnerKind the learner that produced it (e.g. analytic-ridge, mlp)
 * @param learnerConfig the learner's configuration
 * @param seeds every seed that determines the model, by name (feature.seed, mlp.seed, ...)
 * @param libraryVersions versions of Lethe, the JVM and the libraries that computed it
 */
public record Provenance(String modelName, long version, Long parentVersion, String trigger, long createdAtMillis,
                         Map<String, Long> inputOffsets, List<String> erasureRequestIds, long examplesLearned,
                         long examplesRetained, String learnerKind, Map<String, String> learnerConfig,
                         Map<String, Long> seeds, Map<String, String> libraryVersions) {

    public Provenance {
        inputOffsets = Map.copyOf(inputOffsets);
        erasureRequestIds = List.copyOf(erasureRequestIds);
        learnerConfig = Map.copyOf(learnerConfig);
        seeds = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(seeds));
        libraryVersions = Map.copyOf(libraryVersions);
    }

    /** The first seed by name: the one number the Avro lineage's {@code seed} field has room for. */
    public long primarySeed() {
        return seeds.values().stream().findFirst().orElse(0L);
    }
}
