package io.lethe.modelstore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.learning.Predictor;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A local folder of checkpoints: {@code checkpoints/<sha256>.ckpt} and
 * {@code manifests/<model>/v<version>.json}. Every file is written to a temporary name, fsynced,
 * renamed atomically and the folder fsynced, so a crash leaves either the old state or the new one,
 * never a torn file. Content addressing makes re-publishing identical bytes a no-op and lets readers
 * verify what they load.
 */
public final class CheckpointStore {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    public CheckpointStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /**
     * Writes a version's checkpoint (its provenance and predictor in the {@link CheckpointEnvelope}),
     * content-addressed, and returns where it is.
     */
    public StoredCheckpoint write(Provenance provenance, Predictor predictor) throws IOException {
        return writeCheckpointBytes(CheckpointEnvelope.encode(provenance, predictor));
    }

    private StoredCheckpoint writeCheckpointBytes(byte[] bytes) throws IOException {
        String sha = sha256(bytes);
        Path file = root.resolve("checkpoints").resolve(sha + ".ckpt");
        if (!Files.exists(file) || Files.size(file) != bytes.length) {
            writeAtomically(file, bytes);
        }
        return new StoredCheckpoint(file.toUri(), sha, bytes.length);
    }

    /** Writes the manifest of a version (replacing one of the same version that was never announced). */
    public Path writeManifest(CheckpointManifest manifest) throws IOException {
        Path file = manifestPath(manifest.modelName(), manifest.version());
        writeAtomically(file, JSON.writeValueAsBytes(manifest));
        return file;
    }

    public Path manifestPath(String modelName, long version) {
        return root.resolve("manifests").resolve(safe(modelName)).resolve(String.format("v%012d.json", version));
    }

    public Optional<CheckpointManifest> readManifest(String modelName, long version) throws IOException {
        Path file = manifestPath(modelName, version);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), CheckpointManifest.class));
    }

    /** What revoking a version removed from the store. */
    public record Revoked(String modelName, long version, boolean manifestDeleted, boolean checkpointDeleted) {
    }

    /**
     * Revokes every version of the model below {@code version}: their manifests and checkpoints leave
     * the store (a checkpoint another remaining manifest still names is kept). Used once a version
     * without erased data is published: the earlier ones contain it.
     */
    public java.util.List<Revoked> revokeBelow(String modelName, long version) throws IOException {
        Path folder = root.resolve("manifests").resolve(safe(modelName));
        java.util.List<Revoked> revoked = new java.util.ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return revoked;
        }
        java.util.List<CheckpointManifest> all = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("v\\d+\\.json")).sorted().toList()) {
                all.add(JSON.readValue(file.toFile(), CheckpointManifest.class));
            }
        }
        java.util.Set<String> kept = new java.util.HashSet<>();
        all.stream().filter(m -> m.version() >= version).forEach(m -> kept.add(m.sha256()));
        for (CheckpointManifest manifest : all) {
            if (manifest.version() >= version) {
                continue;
            }
            boolean checkpoint = !kept.contains(manifest.sha256())
                    && Files.deleteIfExists(root.resolve("checkpoints").resolve(manifest.sha256() + ".ckpt"));
            boolean manifestGone = Files.deleteIfExists(manifestPath(modelName, manifest.version()));
            revoked.add(new Revoked(modelName, manifest.version(), manifestGone, checkpoint));
        }
        return revoked;
    }

    /** Whether a version was revoked: its manifest and its checkpoint are both gone from the store. */
    public boolean isRevoked(String modelName, long version, URI checkpoint) {
        return !Files.exists(manifestPath(modelName, version)) && !Files.exists(Path.of(checkpoint));
    }

    /** Loads a checkpoint, verified against the expected hash: its provenance and its predictor. */
    public CheckpointEnvelope.Contents load(URI uri, String expectedSha256) throws IOException {
        return CheckpointEnvelope.decode(readBytes(uri, expectedSha256));
    }

    /** Loads a checkpoint's predictor, verified, and checks that it is of the expected type. */
    public <P extends Predictor> P read(URI uri, String expectedSha256, Class<P> type) throws IOException {
        Predictor predictor = load(uri, expectedSha256).predictor();
        if (!type.isInstance(predictor)) {
            throw new IOException("checkpoint " + uri + " holds a " + predictor.kind() + " model, not a " + type.getSimpleName());
        }
        return type.cast(predictor);
    }

    public <P extends Predictor> P read(StoredCheckpoint checkpoint, Class<P> type) throws IOException {
        return read(checkpoint.uri(), checkpoint.sha256(), type);
    }

    /** A checkpoint's bytes, verified against the expected hash. */
    public byte[] readBytes(URI uri, String expectedSha256) throws IOException {
        byte[] bytes = Files.readAllBytes(Path.of(uri));
        String actual = sha256(bytes);
        if (!actual.equals(expectedSha256)) {
            throw new IOException("checkpoint " + uri + " is corrupt: sha256 " + actual + ", expected " + expectedSha256);
        }
        return bytes;
    }

    private static final int WRITE_SLICE = 1 << 20;

    /** temp file in the same folder, fsync, atomic rename, fsync the folder. */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path folder = target.getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                // In slices: the channel copies a heap buffer into a temporary direct one of the same
                // size, which for a whole learner snapshot (tens of megabytes) was allocated on every write.
                for (int start = 0; start < bytes.length; start += WRITE_SLICE) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes, start, Math.min(WRITE_SLICE, bytes.length - start));
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + folder + " cannot rename atomically", e);
            }
            try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot fsync a directory; the rename itself is still atomic.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String safe(String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("model names may hold only letters, digits, '.', '_' and '-': " + name);
        }
        return name;
    }
}
