package io.lethe.learning.gradient;

import io.lethe.learning.LearnerContract;

/**
 * The contract's tier for learners whose unlearning is approximate: the exact-unlearning check does
 * not apply, but unlearning must still make the forgotten examples less likely and leave a usable
 * (finite) network.
 */
abstract class ApproximateLearnerContract extends LearnerContract {

    @Override
    protected double unlearnTolerance() {
        return Double.NaN;
    }

    @Override
    protected boolean exactUnlearning() {
        return false;
    }

    /** Approximate tier: without an exactness guarantee, unlearning must at least make the forgotten examples less likely. */
    @org.junit.jupiter.api.Test
    void approximateUnlearningRaisesTheLossOnTheForgottenExamples() {
        io.lethe.learning.LabeledBatch kept = io.lethe.learning.SyntheticData.batch(40, 120, DIM, CLASSES);
        io.lethe.learning.LabeledBatch forgotten = io.lethe.learning.SyntheticData.batch(41, 40, DIM, CLASSES);
        io.lethe.learning.Learner learner = newLearner(29);
        learner.learn(kept);
        learner.learn(forgotten);
        double before = crossEntropy(learner.scores(forgotten.inputs()), forgotten.labels());
        learner.unlearn(forgotten);
        double after = crossEntropy(learner.scores(forgotten.inputs()), forgotten.labels());
        org.junit.jupiter.api.Assertions.assertTrue(after > before, "loss on the forgotten examples: " + before + " before, " + after + " after");
    }

    /** Mean cross-entropy of probability rows against the labels. */
    private static double crossEntropy(org.nd4j.linalg.api.ndarray.INDArray probabilities, int[] labels) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum -= Math.log(Math.max(probabilities.getDouble(i, labels[i]), 1e-12));
        }
        return sum / labels.length;
    }

}
