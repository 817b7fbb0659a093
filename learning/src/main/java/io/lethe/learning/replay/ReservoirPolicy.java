package io.lethe.learning.replay;

import java.util.List;
import java.util.random.RandomGenerator;

/** Reservoir sampling: every item offered so far is in the buffer with the same probability. */
public final class ReservoirPolicy implements StoragePolicy {

    @Override
    public int victim(List<? extends ReplayItem<?>> items, ReplayItem<?> incoming, long seen, RandomGenerator random) {
        long slot = random.nextLong(seen);
        return slot < items.size() ? (int) slot : REJECT;
    }
}
