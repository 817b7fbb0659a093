package io.lethe.modelstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointStoreTest {

    private static RidgeModel model(long seed) {
        return new RidgeModel(FeatureMapSpec.denseRelu(16, 32, seed), new int[] {3, 1}, new boolean[] {true, false},
                Nd4j.rand(DataType.DOUBLE, 32, 2));
    }

    static Provenance provenance(String model, long version) {
        return new Provenance(model, version, version > 1 ? version - 1 : null, "ERASURE", 99L,
                Map.of("lethe.examples-0", 41L), List.of("req-1"), 100, 90, "analytic-ridge", Map.of("ridge.gamma", "1.0"),
                Map.of("feature.seed", 3L), Map.of("java", "17"));
    }

    @Test
    void checkpointsAreContentAddressedAndRoundTrip(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        RidgeModel model = model(1);
        StoredCheckpoint stored = store.write(provenance("mnist", 1), model);
        assertEquals(stored.sha256() + ".ckpt", Path.of(stored.uri()).getFileName().toString());
        assertEquals(CheckpointStore.sha256(Files.readAllBytes(Path.of(stored.uri()))), stored.sha256());

        RidgeModel back = store.read(stored, RidgeModel.class);
        assertEquals(provenance("mnist", 1), store.load(stored.uri(), stored.sha256()).provenance());
        assertEquals(model.featureMap(), back.featureMap());
        assertArrayEquals(model.classes(), back.classes());
        assertArrayEquals(model.active(), back.active());
        assertEquals(model.weights(), back.weights());

        // Same content, same file; no temp files left behind.
        assertEquals(stored, store.write(provenance("mnist", 1), model));
        try (Stream<Path> files = Files.walk(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void corruptionIsDetectedOnRead(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        StoredCheckpoint stored = store.write(provenance("mnist", 2), model(2));
        byte[] bytes = Files.readAllBytes(Path.of(stored.uri()));
        bytes[bytes.length - 3] ^= 0x5a;
        Files.write(Path.of(stored.uri()), bytes);
        IOException e = assertThrows(IOException.class, () -> store.read(stored, RidgeModel.class));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void manifestsCarryLineage(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        StoredCheckpoint stored = store.write(provenance("mnist", 7), model(3));
        CheckpointManifest manifest = new CheckpointManifest(provenance("mnist", 7), stored.sha256(), stored.sizeBytes());
        store.writeManifest(manifest);
        assertEquals(manifest, store.readManifest("mnist", 7).orElseThrow());
        assertTrue(store.readManifest("mnist", 8).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> store.manifestPath("../etc", 1));
    }

    @Test
    void revokingRemovesEveryEarlierVersionsManifestAndCheckpoint(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        List<StoredCheckpoint> stored = new java.util.ArrayList<>();
        for (long v = 1; v <= 4; v++) {
            StoredCheckpoint checkpoint = store.write(provenance("mnist", v), model(v));
            store.writeManifest(new CheckpointManifest(provenance("mnist", v), checkpoint.sha256(), checkpoint.sizeBytes()));
            stored.add(checkpoint);
        }
        List<CheckpointStore.Revoked> revoked = store.revokeBelow("mnist", 3);
        assertEquals(List.of(1L, 2L), revoked.stream().map(CheckpointStore.Revoked::version).toList());
        assertTrue(revoked.stream().allMatch(r -> r.manifestDeleted() && r.checkpointDeleted()));
        for (int i = 0; i < 4; i++) {
            boolean kept = i >= 2;
            assertEquals(kept, Files.exists(Path.of(stored.get(i).uri())), "checkpoint of v" + (i + 1));
            assertEquals(kept, store.readManifest("mnist", i + 1).isPresent(), "manifest of v" + (i + 1));
            assertEquals(!kept, store.isRevoked("mnist", i + 1, stored.get(i).uri()));
        }
        assertTrue(store.revokeBelow("mnist", 3).isEmpty(), "revoking again finds nothing");
    }

    @Test
    void anInterruptedWriteLeavesThePreviousFileIntact(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("file.bin");
        CheckpointStore.writeAtomically(target, new byte[] {1, 2, 3});
        // A crash between temp write and rename leaves a stray temp file and the old target.
        Files.write(dir.resolve(".file.bin123.tmp"), new byte[] {9});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        CheckpointStore.writeAtomically(target, new byte[] {4});
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(target));
    }
}
