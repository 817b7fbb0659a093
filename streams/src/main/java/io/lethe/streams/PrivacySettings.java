package io.lethe.streams;

import io.lethe.streams.privacy.KeyEncryptionKey;
import java.nio.file.Path;

/**
 * How far an erasure reaches by itself: encryption of stored values under per-subject keys (and the
 * key-encryption key that wraps them), and purging of the input topics.
 *
 * @param encryption seal every stored value that holds a subject's data (crypto-shredding on erasure)
 * @param kekFile file holding the key-encryption key, base64 ("" for none)
 * @param kekBase64 the key-encryption key itself, base64 ("" for none; wins over the file)
 * @param purgeInputs purge the input topics below the lowest committed offset of every Lethe application
 */
public record PrivacySettings(boolean encryption, String kekFile, String kekBase64, boolean purgeInputs) {

    /** The file name of the key the embedded default creates under its state folder. */
    public static final String EMBEDDED_KEK_FILE = "lethe.kek";

    /** Never shows the key itself. */
    @Override
    public String toString() {
        return "PrivacySettings[encryption=" + encryption + ", kekFile=" + kekFile + ", kek="
                + (kekBase64.isBlank() ? "" : "(set)") + ", purgeInputs=" + purgeInputs + "]";
    }

    public boolean hasKek() {
        return !kekBase64.isBlank() || !kekFile.isBlank();
    }

    public PrivacySettings withKekFile(Path file) {
        return new PrivacySettings(encryption, file.toString(), kekBase64, purgeInputs);
    }

    /**
     * The key-encryption key, or null with encryption off.
     *
     * @throws IllegalArgumentException when encryption is on and no key is configured, or it cannot be read
     */
    public KeyEncryptionKey loadKek() {
        if (!encryption) {
            return null;
        }
        if (!kekBase64.isBlank()) {
            return KeyEncryptionKey.fromBase64(kekBase64, "lethe.kek (LETHE_KEK)");
        }
        if (!kekFile.isBlank()) {
            return KeyEncryptionKey.fromFile(Path.of(kekFile));
        }
        throw new IllegalArgumentException("no key-encryption key: set lethe.kek.file to a file holding 32 random bytes,"
                + " base64 (lethe kek --new FILE creates one), or LETHE_KEK to the key itself; or"
                + " lethe.encryption=false to keep subjects' data in the clear. The embedded default (no"
                + " bootstrap.servers) creates one under its state folder.");
    }
}
