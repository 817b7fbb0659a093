package io.lethe.streams.privacy;

import java.util.HexFormat;

/**
 * The layout of a sealed value: {@code 0x7E 0x01}, the data key's id (8 bytes), the AES-GCM nonce
 * (12 bytes), then ciphertext and tag. The prefix never starts an Avro single-object encoding
 * ({@code 0xC3 0x01}) nor a journal event, so a reader (and {@code lethe audit}) tells sealed values
 * from values in the clear without a key.
 */
public final class SealedValue {

    static final byte MAGIC = 0x7E;
    static final byte VERSION = 0x01;
    static final int KEY_ID_BYTES = 8;
    static final int HEADER = 2 + KEY_ID_BYTES;

    private SealedValue() {
    }

    public static boolean isSealed(byte[] value) {
        return value != null && value.length > HEADER + KeyEncryptionKey.NONCE_BYTES && value[0] == MAGIC
                && value[1] == VERSION;
    }

    /** The id of the data key a sealed value needs (hex), or null for a value in the clear. */
    public static String keyId(byte[] value) {
        return isSealed(value) ? HexFormat.of().formatHex(value, 2, HEADER) : null;
    }
}
