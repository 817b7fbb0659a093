package io.lethe.learning.gradient;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether an approximate unlearning run may stand. Measured before it is accepted: the accuracy on
 * held-out examples of the retained classes (utility) must not drop by more than
 * {@code maxUtilityDrop} points, and the forget set must not stay recognised beyond what unlearning
 * promises: examples of classes no longer retained at most {@code maxForgetAccuracy} percent (a model
 * never trained on a class does not recognise it), other forgotten examples at most
 * {@code maxForgetExcess} points above held-out data of their classes (no better than data never
 * seen). A rejected run is rolled back and the network retrains exactly.
 *
 * @param maxUtilityDrop points of held-out accuracy an approximate run may cost
 * @param maxForgetAccuracy percent of a vanished class's forgotten examples still recognised
 * @param maxForgetExcess points by which forgotten examples of retained classes may beat held-out ones
 */
public record UnlearningGuard(double maxUtilityDrop, double maxForgetAccuracy, double maxForgetExcess) {

    public UnlearningGuard {
        if (!(maxUtilityDrop >= 0) || !(maxForgetAccuracy >= 0) || !(maxForgetExcess >= 0)) {
            throw new IllegalArgumentException("guard limits must be non-negative numbers");
        }
    }

    /**
     * What was measured around one run; NaN where a set is empty.
     *
     * @param utilityBefore held-out accuracy of the retained classes before the run
     * @param utilityAfter the same after it
     * @param forgetVanishedAfter accuracy on forgotten examples whose class has no held-out example left
     * @param forgetRetainedAfter accuracy on the other forgotten examples
     * @param heldoutRetainedAfter held-out accuracy on those other examples' classes
     */
    public record Measured(double utilityBefore, double utilityAfter, double forgetVanishedAfter,
                           double forgetRetainedAfter, double heldoutRetainedAfter) {
    }

    /** The verdict: accepted, or the reasons for refusing it. */
    public record Verdict(boolean accepted, List<String> reasons) {
    }

    public Verdict judge(Measured m) {
        List<String> reasons = new ArrayList<>();
        if (!Double.isNaN(m.utilityBefore()) && !Double.isNaN(m.utilityAfter())
                && m.utilityBefore() - m.utilityAfter() > maxUtilityDrop) {
            reasons.add(String.format("held-out accuracy fell %.1f points (%.1f%% -> %.1f%%; at most %.1f allowed)",
                    m.utilityBefore() - m.utilityAfter(), m.utilityBefore(), m.utilityAfter(), maxUtilityDrop));
        }
        if (!Double.isNaN(m.forgetVanishedAfter()) && m.forgetVanishedAfter() > maxForgetAccuracy) {
            reasons.add(String.format("%.1f%% of the erased classes' examples still recognised (at most %.1f%%)",
                    m.forgetVanishedAfter(), maxForgetAccuracy));
        }
        if (!Double.isNaN(m.forgetRetainedAfter()) && !Double.isNaN(m.heldoutRetainedAfter())
                && m.forgetRetainedAfter() - m.heldoutRetainedAfter() > maxForgetExcess) {
            reasons.add(String.format("forgotten examples recognised %.1f points better than held-out ones (at most %.1f)",
                    m.forgetRetainedAfter() - m.heldoutRetainedAfter(), maxForgetExcess));
        }
        return new Verdict(reasons.isEmpty(), reasons);
    }
}
