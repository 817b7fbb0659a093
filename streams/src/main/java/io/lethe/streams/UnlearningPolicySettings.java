package io.lethe.streams;

import io.lethe.learning.gradient.GuardedUnlearning;
import io.lethe.learning.gradient.UnlearningGuard;

/**
 * How the network learner chooses between approximate unlearning and exact retraining (see
 * {@link GuardedUnlearning}).
 *
 * @param guarded measure every approximate run and retrain exactly when it is refused (false: every
 *     run stands, as in the first release)
 * @param maxUtilityDrop points of held-out accuracy an approximate run may cost
 * @param maxForgetAccuracy percent of a vanished class's forgotten examples an approximate run may still recognise
 * @param maxForgetExcess points by which forgotten examples may beat held-out data of their classes
 * @param exactFraction an erasure larger than this share of the retained data retrains at once
 * @param remainSize remain examples drawn (class-stratified, seeded) from the retained store for an
 *     approximate run; 0 uses the replay buffer
 */
public record UnlearningPolicySettings(boolean guarded, double maxUtilityDrop, double maxForgetAccuracy,
                                       double maxForgetExcess, double exactFraction, int remainSize) {

    /** The policy, or null when unguarded. */
    public GuardedUnlearning policy() {
        return guarded ? new GuardedUnlearning(new UnlearningGuard(maxUtilityDrop, maxForgetAccuracy, maxForgetExcess),
                exactFraction) : null;
    }
}
