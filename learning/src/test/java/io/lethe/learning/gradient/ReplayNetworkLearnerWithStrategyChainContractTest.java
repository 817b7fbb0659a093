package io.lethe.learning.gradient;

/** A chain: distillation's teacher, GeRe's general set and recorded activations (view-batch, whose augmentation assumes images, keeps only a step count). */
class ReplayNetworkLearnerWithStrategyChainContractTest extends ReplayNetworkLearnerWithStrategyContractTest {

    @Override
    protected String strategy() {
        return "distill+gere";
    }
}
