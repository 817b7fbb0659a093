package io.lethe.streams.erasure;

import io.lethe.schemas.TrainingExample;

/**
 * Which examples are held out as test data (stored and erasable, never learned). The choice is a
 * deterministic function of the example's id and the learner's seed, so a restart, a replay of the
 * journal and the retrain oracle all hold out the same examples (the id, not the subject: the learner
 * knows subjects only by a keyed hash, which the oracle need not know).
 *
 * @param percent share of examples held out, in percent (0 holds out nothing)
 * @param seed the learner's seed
 */
public record HoldOutRule(double percent, long seed) {

    /** The rule that holds out nothing (the analytic learner). */
    public static final HoldOutRule NONE = new HoldOutRule(0, 0);

    public HoldOutRule {
        if (!(percent >= 0 && percent < 50)) {
            throw new IllegalArgumentException("hold-out percent must lie in [0, 50), got " + percent);
        }
    }

    /** Whether the example is held out. */
    public boolean holdsOut(TrainingExample example) {
        if (percent <= 0) {
            return false;
        }
        long h = example.getExampleId().hashCode() * 0x9E3779B97F4A7C15L ^ seed;
        h ^= h >>> 29;
        return Math.floorMod(h, 10_000L) < Math.round(percent * 100);
    }
}
