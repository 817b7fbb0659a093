package io.lethe.learning.replay;

import java.util.random.RandomGenerator;

/**
 * SplitMix64, draw for draw the generator of {@link java.util.SplittableRandom} (same seeding,
 * same mixing, and the interface's own bounded draws on top), with its state readable and
 * restorable: a replay buffer written to a snapshot continues exactly where it stopped.
 * {@code SplitMixRandomTest} checks the equality against the JDK's generator.
 */
public final class SplitMixRandom implements RandomGenerator {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long seed;

    public SplitMixRandom(long seed) {
        this.seed = seed;
    }

    /** The whole state: a generator made with {@link #SplitMixRandom(long)} from it continues identically. */
    public long state() {
        return seed;
    }

    private long nextSeed() {
        return seed += GOLDEN_GAMMA;
    }

    @Override
    public long nextLong() {
        long z = nextSeed();
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public int nextInt() {
        long z = nextSeed();
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
