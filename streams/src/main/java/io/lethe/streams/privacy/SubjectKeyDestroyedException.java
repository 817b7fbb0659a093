package io.lethe.streams.privacy;

/** A sealed value whose data key was destroyed by an erasure: it can never be read again. */
public final class SubjectKeyDestroyedException extends RuntimeException {

    private final String keyId;

    public SubjectKeyDestroyedException(String keyId) {
        super("data key " + keyId + " was destroyed (crypto-shredded by an erasure)");
        this.keyId = keyId;
    }

    public String keyId() {
        return keyId;
    }
}
