package io.lethe.streams.privacy;

/**
 * The key-encryption key given is not the one the stored data keys were wrapped with (or the state
 * was written with encryption on and is now read with it off, or the reverse). Lethe stops rather
 * than write anything: nothing is dropped or overwritten, and the right key makes it start again.
 */
public final class WrongKeyEncryptionKeyException extends IllegalStateException {

    public WrongKeyEncryptionKeyException(String message) {
        super(message);
    }
}
