package io.lethe.modelstore;

/**
 * A published version's manifest, stored beside its checkpoint: the version's provenance and the
 * checkpoint it names.
 *
 * @param provenance the version's lineage (the same value the checkpoint's envelope carries)
 * @param sha256 hex content hash of the checkpoint file (also its name)
 * @param sizeBytes checkpoint file size
 */
public record CheckpointManifest(Provenance provenance, String sha256, long sizeBytes) {

    public String modelName() {
        return provenance.modelName();
    }

    public long version() {
        return provenance.version();
    }
}
