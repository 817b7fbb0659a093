package io.lethe.learning.gradient;

import io.lethe.learning.Learner;

/** The MLP passes the contract where it applies: its unlearning is approximate, so that check is skipped. */
class NetworkLearnerContractTest extends ApproximateLearnerContract {

    @Override
    protected Learner newLearner(long seed) {
        return new NetworkLearner(DIM, 32, CLASSES, 0.05, 60, seed);
    }

}
