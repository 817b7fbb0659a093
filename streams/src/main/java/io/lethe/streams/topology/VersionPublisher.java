package io.lethe.streams.topology;

import io.lethe.modelstore.CheckpointManifest;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.modelstore.Provenance;
import io.lethe.modelstore.StoredCheckpoint;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.VersionTrigger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Publishes model versions: each version's {@link Provenance} (the input it covers, the erasures
 * applied since its parent, counts, learner config, seeds, library versions), its checkpoint and
 * manifest in the model store, and the {@code ModelVersion} event, all from that one value.
 */
final class VersionPublisher {

    private static final Map<String, String> LIBRARY_VERSIONS = VersionLineage.libraryVersions();

    private final String modelName;
    private final CheckpointStore checkpoints;
    private final Map<String, Long> offsets = new TreeMap<>();
    private final List<String> erasuresSincePublish = new ArrayList<>();
    private long version;

    VersionPublisher(String modelName, CheckpointStore checkpoints) {
        this.modelName = modelName;
        this.checkpoints = checkpoints;
    }

    /** The input the learner has consumed, per "topic-partition" (snapshots carry it too). */
    Map<String, Long> offsets() {
        return offsets;
    }

    void consumed(SourcePosition source) {
        offsets.merge(source.getTopic() + "-" + source.getPartition(), source.getOffset(), Math::max);
    }

    /** An erasure the next version is the first to apply. */
    void erasureApplied(String requestId) {
        erasuresSincePublish.add(requestId);
    }

    long version() {
        return version;
    }

    void restoredVersion(long restored) {
        version = restored;
    }

    /** Writes the next version's checkpoint and manifest and returns its event, to be forwarded. */
    ModelVersion publish(VersionTrigger trigger, LearningEngine engine, long examplesLearned) {
        Provenance provenance = new Provenance(modelName, version + 1, version == 0 ? null : version, trigger.name(),
                System.currentTimeMillis(), offsets, erasuresSincePublish, examplesLearned,
                engine.learner().retainedExamples(), engine.kind(), engine.describe(), engine.seeds(), LIBRARY_VERSIONS);
        StoredCheckpoint stored;
        try {
            stored = checkpoints.write(provenance, engine.predictor());
            checkpoints.writeManifest(new CheckpointManifest(provenance, stored.sha256(), stored.sizeBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint or manifest to " + checkpoints.root(), e);
        }
        version = provenance.version();
        erasuresSincePublish.clear();
        return VersionLineage.event(provenance, stored);
    }
}
