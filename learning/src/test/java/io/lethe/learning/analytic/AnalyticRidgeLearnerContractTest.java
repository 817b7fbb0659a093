package io.lethe.learning.analytic;

import io.lethe.learning.Learner;
import io.lethe.learning.LearnerContract;
import io.lethe.learning.feature.FeatureMapSpec;

class AnalyticRidgeLearnerContractTest extends LearnerContract {

    @Override
    protected Learner newLearner(long seed) {
        return new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, 96, seed), 1.0);
    }

    @Override
    protected double unlearnTolerance() {
        return 1e-9;
    }
}
