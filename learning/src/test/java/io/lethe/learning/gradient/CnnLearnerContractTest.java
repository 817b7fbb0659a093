package io.lethe.learning.gradient;

import io.lethe.learning.Learner;
import io.lethe.learning.LearnerContract;

/** The small CNN passes the contract where it applies (its unlearning is approximate). */
class CnnLearnerContractTest extends LearnerContract {

    @Override
    protected Learner newLearner(long seed) {
        return new NetworkLearner(NetworkLearner.Architecture.CNN, DIM, 32, CLASSES, 0.1, 100, seed);
    }

    @Override
    protected double unlearnTolerance() {
        return Double.NaN;
    }

    @Override
    protected boolean exactUnlearning() {
        return false;
    }
}
