package io.lethe.streams.topology;

/** The MLP with replay and approximate unlearning passes the engine contract. */
class ReplayNetworkEngineContractTest extends LearningEngineContract {

    @Override
    protected String[] settings() {
        return new String[] {"lethe.learner", "mlp", "lethe.mlp.hidden", "24", "lethe.mlp.batch.size", "8",
            "lethe.replay.capacity", "30"};
    }
}
