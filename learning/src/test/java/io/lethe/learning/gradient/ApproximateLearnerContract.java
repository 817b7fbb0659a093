package io.lethe.learning.gradient;

import io.lethe.learning.LearnerContract;

/** The contract for learners whose unlearning is approximate: the exact-unlearning check does not apply. */
abstract class ApproximateLearnerContract extends LearnerContract {

    @Override
    protected double unlearnTolerance() {
        return Double.NaN;
    }

    @Override
    protected boolean exactUnlearning() {
        return false;
    }
}
