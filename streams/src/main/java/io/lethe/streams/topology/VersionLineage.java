package io.lethe.streams.topology;

import io.lethe.modelstore.Provenance;
import io.lethe.modelstore.StoredCheckpoint;
import io.lethe.schemas.Lineage;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.VersionTrigger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ModelVersion} event of a published version, written from its {@link Provenance}: the
 * same value the checkpoint's envelope and the manifest carry, so the three cannot disagree.
 */
final class VersionLineage {

    private VersionLineage() {
    }

    static ModelVersion event(Provenance provenance, StoredCheckpoint stored) {
        List<SourcePosition> positions = new ArrayList<>();
        provenance.inputOffsets().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(entry -> {
            int dash = entry.getKey().lastIndexOf('-');
            positions.add(new SourcePosition(entry.getKey().substring(0, dash),
                    Integer.parseInt(entry.getKey().substring(dash + 1)), entry.getValue()));
        });
        return ModelVersion.newBuilder()
                .setModelName(provenance.modelName())
                .setVersion(provenance.version())
                .setParentVersion(provenance.parentVersion())
                .setCheckpointUri(stored.uri().toString())
                .setSha256(stored.sha256())
                .setSizeBytes(stored.sizeBytes())
                .setTrigger(VersionTrigger.valueOf(provenance.trigger()))
                .setCreatedAt(Instant.ofEpochMilli(provenance.createdAtMillis()))
                .setLineage(Lineage.newBuilder()
                        .setInputOffsets(positions)
                        .setErasureRequestIds(new ArrayList<>(provenance.erasureRequestIds()))
                        .setExamplesLearned(provenance.examplesLearned())
                        .setExamplesRetained(provenance.examplesRetained())
                        .setLearnerConfig(new java.util.TreeMap<>(provenance.learnerConfig()))
                        .setSeed(provenance.primarySeed())
                        .build())
                // A version published by an erasure is the first without the erased data: it revokes the rest.
                .setRevokesBelow(VersionTrigger.ERASURE.name().equals(provenance.trigger()) ? provenance.version() : null)
                .build();
    }

    /** Versions of what computed a model: the JVM, Lethe and the libraries, as their jars say. */
    static java.util.Map<String, String> libraryVersions() {
        java.util.Map<String, String> versions = new java.util.TreeMap<>();
        versions.put("java", System.getProperty("java.version"));
        versions.put("kafka", property("/kafka/kafka-version.properties", "version"));
        versions.put("avro", property("/META-INF/maven/org.apache.avro/avro/pom.properties", "version"));
        versions.put("nd4j", property("/META-INF/maven/org.nd4j/nd4j-api/pom.properties", "version"));
        String lethe = VersionLineage.class.getPackage().getImplementationVersion();
        versions.put("lethe", lethe == null ? "development" : lethe);
        return versions;
    }

    private static String property(String resource, String key) {
        try (java.io.InputStream in = VersionLineage.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            java.util.Properties properties = new java.util.Properties();
            properties.load(in);
            return properties.getProperty(key, "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
