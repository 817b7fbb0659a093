package io.lethe.learning.gradient;

import io.lethe.learning.Learner;

/** The small CNN passes the contract where it applies (its unlearning is approximate). */
class CnnLearnerContractTest extends ApproximateLearnerContract {

    @Override
    protected Learner newLearner(long seed) {
        return new NetworkLearner(NetworkLearner.Architecture.CNN, DIM, 32, CLASSES, 0.1, 100, seed);
    }

}
