package io.lethe.streams.privacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-subject data keys and what is sealed under them. A subject is known here only by its reference
 * (a keyed hash of its id, {@link KeyEncryptionKey#subjectRef}); its data key (AES-256) is created
 * when its first value is sealed, kept wrapped by the KEK in the changelogged keys store, and
 * destroyed by {@link #shred}: a tombstone in the same transaction as the erasure's receipt. From then
 * on every value sealed under it, wherever a copy lies, is unreadable.
 *
 * <p>With encryption off ({@code lethe.encryption=false}) references are the ids and values stay in
 * the clear; the store remembers which mode wrote it, and the other mode refuses to start on it.
 */
public final class SubjectKeys {

    /** The store entry that records the mode and the KEK's fingerprint (never a subject reference: refs are hex). */
    public static final String MODE_KEY = "\u0000mode";
    private static final String PLAIN = "plain";
    private static final byte RECORD_VERSION = 0x02;

    private final KeyEncryptionKey kek;
    private final KeyValueStore<String, byte[]> store;
    private final Map<String, DataKey> cache = new HashMap<>();
    private final SecureRandom random;
    private final Cipher cipher;

    private record DataKey(byte[] id, SecretKey key) {
    }

    private SubjectKeys(KeyEncryptionKey kek, KeyValueStore<String, byte[]> store) {
        this.kek = kek;
        this.store = store;
        try {
            this.random = SecureRandom.getInstance("DRBG");
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks DRBG or AES-GCM", e);
        }
    }

    /**
     * The keys in {@code store}, under {@code kek} (null: encryption off). Refuses a store written
     * under another KEK, or in the other mode, before anything is written.
     */
    public static SubjectKeys open(KeyEncryptionKey kek, KeyValueStore<String, byte[]> store) {
        String wanted = kek == null ? PLAIN : "aes-gcm:" + kek.fingerprint();
        byte[] recorded = store.get(MODE_KEY);
        if (recorded == null) {
            store.put(MODE_KEY, wanted.getBytes(StandardCharsets.US_ASCII));
        } else {
            String was = new String(recorded, StandardCharsets.US_ASCII);
            if (!KeyEncryptionKey.sameFingerprint(was, wanted)) {
                throw new WrongKeyEncryptionKeyException(mismatch(was, wanted, kek));
            }
        }
        return new SubjectKeys(kek, store);
    }

    private static String mismatch(String was, String wanted, KeyEncryptionKey kek) {
        if (was.equals(PLAIN)) {
            return "this state was written with lethe.encryption=false; it cannot be read with encryption on"
                    + " (use a new lethe.state.dir and application id, or keep encryption off)";
        }
        if (wanted.equals(PLAIN)) {
            return "this state was written encrypted (key fingerprint " + was.substring(8) + "); it cannot be read"
                    + " with lethe.encryption=false: give its key-encryption key";
        }
        return "the key-encryption key from " + kek.origin() + " (fingerprint " + kek.fingerprint()
                + ") is not the one this state was written with (fingerprint " + was.substring(8)
                + "); Lethe stopped before reading or writing anything: start it with the right key";
    }

    public boolean encrypting() {
        return kek != null;
    }

    /** What stands for the subject in stores: its keyed hash (the id itself with encryption off). */
    public String ref(String subjectId) {
        return kek == null ? subjectId : kek.subjectRef(subjectId);
    }

    /** Seals a value under the subject's data key, creating the key on first use. */
    public byte[] seal(String ref, byte[] plain) {
        return seal(ref, plain, plain.length);
    }

    /** Seals the first {@code length} bytes of {@code plain} (a buffer filled in place, not copied first). */
    public byte[] seal(String ref, byte[] plain, int length) {
        if (kek == null) {
            return length == plain.length ? plain : java.util.Arrays.copyOf(plain, length);
        }
        DataKey key = dataKey(ref, true);
        byte[] nonce = new byte[KeyEncryptionKey.NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(KeyEncryptionKey.TAG_BITS, nonce));
            cipher.updateAAD(ref.getBytes(StandardCharsets.UTF_8));
            int headed = SealedValue.HEADER + nonce.length;
            byte[] out = new byte[headed + cipher.getOutputSize(length)];
            out[0] = SealedValue.MAGIC;
            out[1] = SealedValue.VERSION;
            System.arraycopy(key.id(), 0, out, 2, SealedValue.KEY_ID_BYTES);
            System.arraycopy(nonce, 0, out, SealedValue.HEADER, nonce.length);
            cipher.doFinal(plain, 0, length, out, headed);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    /**
     * Opens a value sealed under the subject's key (a value in the clear, from before encryption or
     * with it off, comes back as it is).
     *
     * @throws SubjectKeyDestroyedException when the subject's key was shredded (or replaced since)
     */
    public byte[] open(String ref, byte[] value) {
        if (!SealedValue.isSealed(value)) {
            return value;
        }
        if (kek == null) {
            throw new WrongKeyEncryptionKeyException("a sealed value was found but lethe.encryption=false");
        }
        DataKey key = dataKey(ref, false);
        if (key == null || !Arrays.equals(key.id(), 0, SealedValue.KEY_ID_BYTES, value, 2, SealedValue.HEADER)) {
            throw new SubjectKeyDestroyedException(SealedValue.keyId(value));
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(KeyEncryptionKey.TAG_BITS, value,
                    SealedValue.HEADER, KeyEncryptionKey.NONCE_BYTES));
            cipher.updateAAD(ref.getBytes(StandardCharsets.UTF_8));
            int headed = SealedValue.HEADER + KeyEncryptionKey.NONCE_BYTES;
            return cipher.doFinal(value, headed, value.length - headed);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalStateException("a sealed value of subject " + ref + " fails authentication: it was altered"
                    + " or belongs to another subject");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("opening failed", e);
        }
    }

    /**
     * Rewrites the mode record: one small changelog record, so that the changelog's segment rolls and
     * the log cleaner can remove destroyed keys' records from it (see the caller).
     */
    public void touch() {
        store.put(MODE_KEY, store.get(MODE_KEY));
    }

    /** Whether the subject's data key still exists (a sealed value under it can be read). */
    public boolean canOpen(String ref, byte[] value) {
        if (!SealedValue.isSealed(value)) {
            return true;
        }
        DataKey key = kek == null ? null : dataKey(ref, false);
        return key != null && Arrays.equals(key.id(), 0, SealedValue.KEY_ID_BYTES, value, 2, SealedValue.HEADER);
    }

    /** The id of the subject's current data key (hex), if it has one. */
    public Optional<String> keyId(String ref) {
        DataKey key = kek == null ? null : dataKey(ref, false);
        return Optional.ofNullable(key).map(k -> HexFormat.of().formatHex(k.id()));
    }

    /** Destroys the subject's data key; returns its id, or empty when it had none. */
    public Optional<String> shred(String ref) {
        Optional<String> id = keyId(ref);
        if (id.isPresent()) {
            store.delete(ref);
            cache.remove(ref);
        }
        return id;
    }

    private DataKey dataKey(String ref, boolean create) {
        DataKey cached = cache.get(ref);
        if (cached != null) {
            return cached;
        }
        byte[] record = store.get(ref);
        DataKey key;
        if (record != null) {
            key = parse(kek, ref, record);
        } else if (create) {
            byte[] id = new byte[SealedValue.KEY_ID_BYTES];
            random.nextBytes(id);
            byte[] raw = new byte[KeyEncryptionKey.KEY_BYTES];
            random.nextBytes(raw);
            byte[] wrapped = kek.wrap(raw, context(ref, id), random);
            byte[] out = new byte[2 + id.length + wrapped.length];
            out[0] = SealedValue.MAGIC;
            out[1] = RECORD_VERSION;
            System.arraycopy(id, 0, out, 2, id.length);
            System.arraycopy(wrapped, 0, out, 2 + id.length, wrapped.length);
            store.put(ref, out);
            key = new DataKey(id, new SecretKeySpec(raw, "AES"));
        } else {
            return null;
        }
        cache.put(ref, key);
        return key;
    }

    private static DataKey parse(KeyEncryptionKey kek, String ref, byte[] record) {
        if (record.length < 2 + SealedValue.KEY_ID_BYTES || record[0] != SealedValue.MAGIC || record[1] != RECORD_VERSION) {
            throw new IllegalStateException("malformed data-key record for subject " + ref
                    + " in the keys store; refusing to replace it (its data would become unreadable)");
        }
        byte[] id = Arrays.copyOfRange(record, 2, 2 + SealedValue.KEY_ID_BYTES);
        byte[] raw = kek.unwrap(record, 2 + SealedValue.KEY_ID_BYTES, context(ref, id));
        return new DataKey(id, new SecretKeySpec(raw, "AES"));
    }

    /** The key id a data-key record holds (hex). */
    public static String keyIdOfRecord(byte[] record) {
        return record.length < 2 + SealedValue.KEY_ID_BYTES ? "?" : HexFormat.of().formatHex(record, 2, 2 + SealedValue.KEY_ID_BYTES);
    }

    /**
     * Opens a sealed value with a data-key record found anywhere (a keys changelog not yet compacted,
     * a backup): what an attacker holding the KEK could do. Empty when the record holds another key.
     * For {@code lethe audit}, which must count such copies as readable.
     */
    public static Optional<byte[]> openWith(KeyEncryptionKey kek, String ref, byte[] record, byte[] sealed) {
        if (!SealedValue.isSealed(sealed)) {
            return Optional.of(sealed);
        }
        DataKey key = parse(kek, ref, record);
        if (!Arrays.equals(key.id(), 0, SealedValue.KEY_ID_BYTES, sealed, 2, SealedValue.HEADER)) {
            return Optional.empty();
        }
        SubjectKeys scratch = new SubjectKeys(kek, null);
        scratch.cache.put(ref, key);
        return Optional.of(scratch.open(ref, sealed));
    }

    private static byte[] context(String ref, byte[] id) {
        byte[] refBytes = ref.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(refBytes, refBytes.length + id.length);
        System.arraycopy(id, 0, out, refBytes.length, id.length);
        return out;
    }
}
