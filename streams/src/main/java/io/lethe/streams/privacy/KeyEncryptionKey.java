package io.lethe.streams.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The operator's key-encryption key (KEK): 32 random bytes, given base64 in a file or a variable. It
 * wraps the subjects' data keys and keys the hash that stands for subject ids in store keys; it is
 * never stored by Lethe beside the data it protects (except the embedded default's own file, which
 * {@code lethe run} creates under its state folder and says so).
 */
public final class KeyEncryptionKey {

    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;

    private final SecretKey wrapping;
    private final SecretKey hashing;
    private final String fingerprint;
    private final String origin;
    /** One keyed HMAC per thread: a reference is computed for every example, so the Mac is not made anew each time. */
    private final ThreadLocal<Mac> subjectMac;

    private KeyEncryptionKey(byte[] raw, String origin) {
        this.origin = origin;
        this.wrapping = new SecretKeySpec(derive(raw, "lethe data-key wrapping"), "AES");
        this.hashing = new SecretKeySpec(derive(raw, "lethe subject reference"), "HmacSHA256");
        this.fingerprint = HexFormat.of().formatHex(derive(raw, "lethe key fingerprint"), 0, 8);
        this.subjectMac = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(hashing);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        });
    }

    /** Reads a base64 key; {@code origin} names where it came from, for messages. */
    public static KeyEncryptionKey fromBase64(String base64, String origin) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key-encryption key in " + origin + " is not base64: " + e.getMessage());
        }
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException("the key-encryption key in " + origin + " has " + raw.length
                    + " bytes; it must have " + KEY_BYTES + " (create one with: lethe kek --new FILE)");
        }
        return new KeyEncryptionKey(raw, origin);
    }

    /** Reads the key from a file that holds it base64. */
    public static KeyEncryptionKey fromFile(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read the key-encryption key file " + file.toAbsolutePath()
                    + (Files.exists(file) ? " (permissions)" : " (no such file)"));
        }
        try {
            return fromBase64(Files.readString(file, StandardCharsets.US_ASCII), file.toAbsolutePath().toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the key-encryption key file " + file.toAbsolutePath() + ": " + e);
        }
    }

    /** Creates a new random key file (owner-only permissions where the file system has them); refuses to overwrite. */
    public static void createFile(Path file) throws IOException {
        if (Files.exists(file)) {
            throw new IOException(file + " exists; a key-encryption key is never overwritten");
        }
        byte[] raw = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(raw);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".kek", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // Not a POSIX file system: the folder's own permissions apply.
            }
            Files.writeString(tmp, Base64.getEncoder().encodeToString(raw) + "\n", StandardCharsets.US_ASCII);
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A short, non-secret identifier of the key: stored with the state, so a wrong key is recognised. */
    public String fingerprint() {
        return fingerprint;
    }

    public String origin() {
        return origin;
    }

    /**
     * What stands for a subject id in store keys, watermarks and journal entries: HMAC-SHA256 of the
     * id (128 bits, hex). Without the key, an id cannot be tested against it.
     */
    public String subjectRef(String subjectId) {
        return HexFormat.of().formatHex(subjectMac.get().doFinal(subjectId.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    byte[] wrap(byte[] dataKey, byte[] context, SecureRandom random) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, wrapping, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context);
            byte[] sealed = cipher.doFinal(dataKey);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** Unwraps a data key; a key wrapped under another KEK (or altered) fails authentication. */
    byte[] unwrap(byte[] wrapped, int offset, byte[] context) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, wrapping, new GCMParameterSpec(TAG_BITS, wrapped, offset, NONCE_BYTES));
            cipher.updateAAD(context);
            return cipher.doFinal(wrapped, offset + NONCE_BYTES, wrapped.length - offset - NONCE_BYTES);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new WrongKeyEncryptionKeyException("a data key does not unwrap under the key-encryption key from "
                    + origin + " (fingerprint " + fingerprint + "): wrong key, or the key record was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private static byte[] derive(byte[] raw, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(raw, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time comparison of fingerprints. */
    static boolean sameFingerprint(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
