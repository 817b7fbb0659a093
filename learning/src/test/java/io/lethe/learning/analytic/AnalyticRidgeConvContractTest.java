package io.lethe.learning.analytic;

import io.lethe.learning.Learner;
import io.lethe.learning.LearnerContract;
import io.lethe.learning.feature.FeatureMapSpec;

/** The same contract with the convolutional map (8 x 8 images, 64 inputs). */
class AnalyticRidgeConvContractTest extends LearnerContract {

    @Override
    protected Learner newLearner(long seed) {
        return new AnalyticRidgeLearner(FeatureMapSpec.randomConv(8, 12, 3, 3, seed), 1.0);
    }

    @Override
    protected double unlearnTolerance() {
        return 1e-9;
    }
}
