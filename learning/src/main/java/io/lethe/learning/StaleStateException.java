package io.lethe.learning;

import java.io.IOException;

/**
 * A learner state that is readable but was computed in a way this version no longer computes (its
 * features, say): adopting it would break exactness, so the caller rebuilds the learner from the
 * examples instead.
 */
public final class StaleStateException extends IOException {

    public StaleStateException(String message) {
        super(message);
    }
}
