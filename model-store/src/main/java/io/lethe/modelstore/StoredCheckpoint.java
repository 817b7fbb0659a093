package io.lethe.modelstore;

import java.net.URI;

/** Where a checkpoint was written and what its bytes hash to. */
public record StoredCheckpoint(URI uri, String sha256, long sizeBytes) {
}
