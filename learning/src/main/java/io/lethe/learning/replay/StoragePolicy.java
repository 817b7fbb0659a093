package io.lethe.learning.replay;

import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/** Decides, when the buffer is full, which stored item an incoming one replaces (or that it is dropped). */
public interface StoragePolicy {

    /** Returned by {@link #victim} when the incoming item is not stored. */
    int REJECT = -1;

    /**
     * Index of the item to evict for {@code incoming}, or {@link #REJECT}.
     *
     * @param items the full buffer
     * @param seen items offered so far, including this one
     */
    int victim(List<? extends ReplayItem<?>> items, ReplayItem<?> incoming, long seen, RandomGenerator random);

    /** reservoir, class-balanced or task-balanced; anything else fails with the list of names. */
    static StoragePolicy named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "reservoir" -> new ReservoirPolicy();
            case "class-balanced" -> new BalancedPolicy(ReplayItem::label);
            case "task-balanced" -> new BalancedPolicy(ReplayItem::task);
            default -> throw new IllegalArgumentException("unknown replay storage policy '" + name
                    + "' (expected reservoir, class-balanced or task-balanced)");
        };
    }
}
