package io.lethe.learning.gradient;

/** The balanced EMA keeps an average and the last gradient of every tensor: both travel with the snapshot. */
class ReplayNetworkLearnerWithEmaContractTest extends ReplayNetworkLearnerWithStrategyContractTest {

    @Override
    protected String strategy() {
        return "ema";
    }
}
