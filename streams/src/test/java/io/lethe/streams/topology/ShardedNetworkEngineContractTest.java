package io.lethe.streams.topology;

/** The engine contract, run against the SISA engine (two shards). */
class ShardedNetworkEngineContractTest extends LearningEngineContract {

    @Override
    protected String[] settings() {
        return new String[] {"lethe.learner", "mlp", "lethe.mlp.hidden", "16", "lethe.mlp.batch.size", "4",
                "lethe.replay.capacity", "20", "lethe.network.shards", "2"};
    }
}
