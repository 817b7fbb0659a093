package io.lethe.streams.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealing under per-subject keys, crypto-shredding, and refusing a wrong key-encryption key. */
class SubjectKeysTest {

    private static final KeyEncryptionKey KEK = key(1);
    private static final byte[] PIXELS = "pixels of subject alice: 0123456789".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private static KeyEncryptionKey key(int fill) {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) fill);
        return KeyEncryptionKey.fromBase64(Base64.getEncoder().encodeToString(raw), "test key " + fill);
    }

    private static KeyValueStore<String, byte[]> store() {
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("keys"),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    @Test
    void aSealedValueOpensOnlyForItsSubjectAndHoldsNothingInTheClear() {
        SubjectKeys keys = SubjectKeys.open(KEK, store());
        String alice = keys.ref("alice");
        assertEquals(32, alice.length());
        assertFalse(alice.contains("alice"));
        assertEquals(alice, keys.ref("alice"), "the reference is a function of the id");
        byte[] sealed = keys.seal(alice, PIXELS);
        assertTrue(SealedValue.isSealed(sealed));
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("pixels"), "no plaintext in the sealed value");
        assertArrayEquals(PIXELS, keys.open(alice, sealed));
        assertNotEquals(new String(sealed, StandardCharsets.ISO_8859_1),
                new String(keys.seal(alice, PIXELS), StandardCharsets.ISO_8859_1), "a fresh nonce every time");
        String bob = keys.ref("bob");
        keys.seal(bob, PIXELS);
        assertThrows(SubjectKeyDestroyedException.class, () -> keys.open(bob, sealed), "bob's key is another key");
    }

    @Test
    void shreddingMakesEveryCopyUnreadableAndANewKeyDoesNotOpenThem() {
        KeyValueStore<String, byte[]> store = store();
        SubjectKeys keys = SubjectKeys.open(KEK, store);
        String alice = keys.ref("alice");
        byte[] sealed = keys.seal(alice, PIXELS);
        String id = keys.keyId(alice).orElseThrow();
        assertEquals(id, SealedValue.keyId(sealed));
        assertEquals(id, keys.shred(alice).orElseThrow());
        assertEquals(null, store.get(alice), "the key record is deleted (a tombstone in its changelog)");
        assertFalse(keys.canOpen(alice, sealed));
        SubjectKeyDestroyedException gone = assertThrows(SubjectKeyDestroyedException.class, () -> keys.open(alice, sealed));
        assertEquals(id, gone.keyId());
        // A restarted reader over the same store (no cache) cannot open it either.
        assertThrows(SubjectKeyDestroyedException.class, () -> SubjectKeys.open(KEK, store).open(alice, sealed));
        // New data of the same subject gets a new key, which does not open the old copies.
        byte[] later = keys.seal(alice, PIXELS);
        assertNotEquals(id, SealedValue.keyId(later));
        assertThrows(SubjectKeyDestroyedException.class, () -> keys.open(alice, sealed));
        assertTrue(keys.shred(keys.ref("nobody")).isEmpty(), "a subject without data has no key to destroy");
    }

    @Test
    void aWrongKeyEncryptionKeyIsRefusedBeforeAnythingIsWritten() {
        KeyValueStore<String, byte[]> store = store();
        SubjectKeys keys = SubjectKeys.open(KEK, store);
        String alice = keys.ref("alice");
        byte[] sealed = keys.seal(alice, PIXELS);
        byte[] record = store.get(alice);
        byte[] mode = store.get(SubjectKeys.MODE_KEY);

        WrongKeyEncryptionKeyException wrong = assertThrows(WrongKeyEncryptionKeyException.class,
                () -> SubjectKeys.open(key(2), store));
        assertTrue(wrong.getMessage().contains("not the one this state was written with"), wrong.getMessage());
        assertThrows(WrongKeyEncryptionKeyException.class, () -> SubjectKeys.open(null, store),
                "encryption cannot be turned off over encrypted state");
        assertArrayEquals(record, store.get(alice), "nothing was dropped or overwritten");
        assertArrayEquals(mode, store.get(SubjectKeys.MODE_KEY));
        assertArrayEquals(PIXELS, SubjectKeys.open(KEK, store).open(alice, sealed), "the right key still opens it");

        KeyValueStore<String, byte[]> plainStore = store();
        SubjectKeys plain = SubjectKeys.open(null, plainStore);
        assertEquals("alice", plain.ref("alice"));
        assertArrayEquals(PIXELS, plain.seal("alice", PIXELS), "encryption off keeps values in the clear");
        assertThrows(WrongKeyEncryptionKeyException.class, () -> SubjectKeys.open(KEK, plainStore));
    }

    @Test
    void aMalformedKeyRecordIsRefusedAndKept() {
        KeyValueStore<String, byte[]> store = store();
        SubjectKeys keys = SubjectKeys.open(KEK, store);
        String alice = keys.ref("alice");
        byte[] sealed = keys.seal(alice, PIXELS);
        byte[] broken = {1, 2, 3};
        store.put(alice, broken);
        SubjectKeys restarted = SubjectKeys.open(KEK, store);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> restarted.open(alice, sealed));
        assertTrue(e.getMessage().contains("malformed data-key record"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> restarted.seal(alice, PIXELS), "never replaced by a new key");
        assertArrayEquals(broken, store.get(alice));
    }

    @Test
    void keyFilesAreCheckedAndNeverOverwritten() throws Exception {
        Path file = dir.resolve("lethe.kek");
        KeyEncryptionKey.createFile(file);
        String fingerprint = KeyEncryptionKey.fromFile(file).fingerprint();
        assertThrows(java.io.IOException.class, () -> KeyEncryptionKey.createFile(file));
        assertEquals(fingerprint, KeyEncryptionKey.fromFile(file).fingerprint());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Files.writeString(dir.resolve("short.kek"), Base64.getEncoder().encodeToString(new byte[16]));
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> KeyEncryptionKey.fromFile(dir.resolve("short.kek")));
        assertTrue(shortKey.getMessage().contains("has 16 bytes; it must have 32"), shortKey.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyEncryptionKey.fromFile(dir.resolve("missing")))
                .getMessage().contains("no such file"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyEncryptionKey.fromBase64("not base64!", "LETHE_KEK"))
                .getMessage().contains("not base64"));
    }
}
