package io.lethe.learning;

import java.util.Map;

/**
 * What one {@link Learner#unlearn} did: how many examples it removed, whether the result equals
 * retraining without them (exact) or only approximates it, and the evidence: the exact learner's
 * normal-equation residual, or an approximate method's measurements.
 *
 * @param method how it unlearned (e.g. analytic-ridge, sfr-on, gradient-ascent)
 * @param exact whether the model now equals one never trained on the removed examples
 * @param examplesRemoved examples whose influence was removed
 * @param residual the exact learner's residual (null for approximate learners)
 * @param metrics measurements of the approximate unlearning (empty for exact learners)
 */
public record UnlearningResult(String method, boolean exact, long examplesRemoved, Double residual,
                               Map<String, Double> metrics) {

    public UnlearningResult {
        metrics = Map.copyOf(metrics);
    }

    public static UnlearningResult exact(String method, long removed, double residual) {
        return new UnlearningResult(method, true, removed, residual, Map.of());
    }

    public static UnlearningResult approximate(String method, long removed, Map<String, Double> metrics) {
        return new UnlearningResult(method, false, removed, null, metrics);
    }
}
