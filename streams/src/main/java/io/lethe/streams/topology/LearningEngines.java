package io.lethe.streams.topology;

import io.lethe.streams.LetheConfig;

/**
 * The one place that picks a learner by its configured name: everything else reads an engine's
 * {@link EngineCapabilities} and talks to it through {@link LearningEngine}.
 */
public final class LearningEngines {

    private static final EngineCapabilities ANALYTIC = new EngineCapabilities(java.util.List.of(), false, false, true);
    private static final EngineCapabilities NETWORK_WITH_REPLAY = new EngineCapabilities(
            java.util.List.of(StoreNames.PENDING_ERASURES, StoreNames.REPLAY_BUFFER), true, true, false);
    /** SISA: exact, and erasures batched like the network's (one retraining per shard per window). */
    private static final EngineCapabilities SHARDED_NETWORKS = new EngineCapabilities(
            java.util.List.of(StoreNames.PENDING_ERASURES, StoreNames.REPLAY_BUFFER), true, true, true);

    private LearningEngines() {
    }

    static LearningEngine create(LetheConfig config) {
        return switch (config.learnerKind()) {
            case LetheConfig.MLP -> config.learner().shards() > 1 ? new ShardedNetworkEngine(config)
                    : new ReplayNetworkEngine(config);
            // The analytic engine's learning touches no store, so it may run beside the stream thread.
            default -> config.learnInBackground()
                    ? new BackgroundLearning(new AnalyticEngine(config), "lethe-learner-" + config.modelName())
                    : new AnalyticEngine(config);
        };
    }

    /** What the configured learner's engine needs, without building it. */
    public static EngineCapabilities capabilities(LetheConfig config) {
        return switch (config.learnerKind()) {
            case LetheConfig.MLP -> config.learner().shards() > 1 ? SHARDED_NETWORKS : NETWORK_WITH_REPLAY;
            default -> ANALYTIC;
        };
    }
}
