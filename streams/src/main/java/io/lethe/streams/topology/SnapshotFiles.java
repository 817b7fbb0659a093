package io.lethe.streams.topology;

import io.lethe.modelstore.CheckpointStore;
import io.lethe.streams.privacy.SubjectKeys;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Learner snapshots as local files, {@code snapshot-<journal seq>.bin}, written atomically and sealed
 * under a key of their own in the keys store (a network's snapshot holds its replay buffer: raw
 * examples). A snapshot's key is destroyed in the transaction that commits the next one.
 */
final class SnapshotFiles {

    private final Path folder;
    private int lastSize = 1 << 20;

    SnapshotFiles(Path folder) {
        this.folder = folder;
    }

    Path path(long seq) {
        return folder.resolve(String.format("snapshot-%016d.bin", seq));
    }

    boolean exists(long seq) {
        return Files.isRegularFile(path(seq));
    }

    /** The keys-store entry of a snapshot's key ("#" never starts a subject reference, which is hex). */
    static String keyRef(long seq) {
        return "#snapshot-" + seq;
    }

    void write(long seq, io.lethe.learning.Learner learner, Map<String, Long> offsets, SubjectKeys keys) throws IOException {
        // Sized like the last snapshot: growing a buffer to tens of megabytes by doubling copied it each time.
        StateBuffer bytes = new StateBuffer(lastSize + (lastSize >> 3));
        DataOutputStream out = new DataOutputStream(bytes);
        learner.writeState(out);
        out.writeInt(offsets.size());
        for (Map.Entry<String, Long> entry : offsets.entrySet()) {
            out.writeUTF(entry.getKey());
            out.writeLong(entry.getValue());
        }
        out.flush();
        lastSize = bytes.size();
        CheckpointStore.writeAtomically(path(seq), keys.seal(keyRef(seq), bytes.filled(), bytes.size()));
    }

    /** A byte buffer whose filled part is sealed where it is, not copied out first. */
    private static final class StateBuffer extends ByteArrayOutputStream {
        StateBuffer(int size) {
            super(size);
        }

        byte[] filled() {
            return buf;
        }
    }

    void read(long seq, io.lethe.learning.Learner learner, Map<String, Long> offsets, SubjectKeys keys) throws IOException {
        byte[] plain = keys.open(keyRef(seq), Files.readAllBytes(path(seq)));
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plain))) {
            learner.readState(in);
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                offsets.merge(in.readUTF(), in.readLong(), Math::max);
            }
        }
    }

    /** Deletes snapshots older than {@code seq} (the one before the newest is kept until the newest is committed). */
    void deleteOlderThan(long seq) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(p -> p.getFileName().toString().startsWith("snapshot-"))
                    .filter(p -> p.compareTo(path(seq)) < 0)
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Old snapshots are only disk space.
        }
    }
}
