package io.lethe.streams;

import io.lethe.learning.feature.FeatureMapSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Every setting of a Lethe application, read from properties (file, system properties or
 * LETHE_* environment variables), validated at start-up with messages that say what to fix.
 *
 * @param bootstrapServers Kafka cluster; empty means start the embedded broker
 * @param applicationId Kafka Streams application id
 * @param modelName name of the model (one learner per model)
 * @param stateDir Kafka Streams state and learner snapshots
 * @param modelStoreDir checkpoint store folder
 * @param featureMap the frozen feature map
 * @param ridgeGamma ridge regularisation
 * @param maxClasses labels must lie in [0, maxClasses)
 * @param inputPartitions partitions of the examples and erasures topics
 * @param learnBatchSize analytic learner: examples learned per update
 * @param learnInBackground analytic learner: learn each batch on a thread of its own, beside the stream thread
 * @param featureCacheBytes analytic learner: memory for learned examples' features, kept for unlearning (0: off)
 * @param publishEveryExamples publish a model version after this many learned examples
 * @param publishIdleMs publish pending learning after this long without input
 * @param snapshotEveryExamples snapshot the learner state after this many journal events
 * @param maxRecordBytes larger input records go to the dead-letter topic
 * @param commitIntervalMs Kafka Streams commit interval (exactly_once_v2)
 * @param streamsOverrides settings given as {@code streams.<name>}, passed to Kafka Streams as {@code <name>}
 * @param learnerKind which learner: {@link #ANALYTIC} or {@link #MLP}
 * @param learner the network learner's settings (network, rehearsal, unlearning)
 * @param erasureBatchWindowMs gradient learner: erasures within this window are unlearned together
 * @param metricsPort Prometheus endpoint port (0: any free port; -1: no endpoint)
 * @param dashboardPort live dashboard port (0: any free port; -1: no dashboard)
 * @param dashboardBind address the dashboard listens on (loopback unless opened up)
 * @param evalEveryExamples continual evaluation every this many learned examples (0: off)
 * @param evalPerTask evaluation examples kept per task
 * @param purgeIntervalMs how often the learner's command topic is purged below the committed offset (0: never)
 * @param topicSegmentMs segment roll and compaction lag of the topics Lethe keeps (command topic, changelogs)
 * @param privacy encryption of stored values and purging of input topics
 */
public record LetheConfig(String bootstrapServers, String applicationId, String modelName, Path stateDir,
                          Path modelStoreDir, FeatureMapSpec featureMap, double ridgeGamma, int maxClasses,
                          int inputPartitions, int learnBatchSize, boolean learnInBackground, long featureCacheBytes,
                          int publishEveryExamples,
                          long publishIdleMs,
                          int snapshotEveryExamples, int maxRecordBytes, long commitIntervalMs,
                          java.util.Map<String, String> streamsOverrides, String learnerKind, GradientSettings learner,
                          long erasureBatchWindowMs, int metricsPort, int dashboardPort, String dashboardBind,
                          int evalEveryExamples, int evalPerTask, long purgeIntervalMs, long topicSegmentMs,
                          PrivacySettings privacy) {

    /** The exact analytic learner (frozen features, ridge head). */
    public static final String ANALYTIC = "analytic";
    /** The DL4J network learner with replay and approximate unlearning. */
    public static final String MLP = "mlp";

    /** Values are checked where they are read ({@link Settings}); this only freezes the overrides. */
    public LetheConfig {
        streamsOverrides = java.util.Map.copyOf(streamsOverrides);
    }

    public boolean embeddedBroker() {
        return bootstrapServers == null || bootstrapServers.isBlank();
    }

    public LetheConfig withBootstrapServers(String servers) {
        return new LetheConfig(servers, applicationId, modelName, stateDir, modelStoreDir, featureMap, ridgeGamma,
                maxClasses, inputPartitions, learnBatchSize, learnInBackground, featureCacheBytes, publishEveryExamples, publishIdleMs,
                snapshotEveryExamples, maxRecordBytes, commitIntervalMs, streamsOverrides, learnerKind, learner, erasureBatchWindowMs,
                metricsPort, dashboardPort, dashboardBind, evalEveryExamples, evalPerTask,
                purgeIntervalMs, topicSegmentMs, privacy);
    }

    public LetheConfig withPrivacy(PrivacySettings settings) {
        return new LetheConfig(bootstrapServers, applicationId, modelName, stateDir, modelStoreDir, featureMap, ridgeGamma,
                maxClasses, inputPartitions, learnBatchSize, learnInBackground, featureCacheBytes, publishEveryExamples, publishIdleMs,
                snapshotEveryExamples, maxRecordBytes, commitIntervalMs, streamsOverrides, learnerKind, learner, erasureBatchWindowMs,
                metricsPort, dashboardPort, dashboardBind, evalEveryExamples, evalPerTask,
                purgeIntervalMs, topicSegmentMs, settings);
    }

    /**
     * Reads settings: defaults, overridden by the given properties, overridden by LETHE_* environment
     * variables. Every problem (unknown key, value a setting does not allow) is reported at once,
     * each naming its setting.
     */
    public static LetheConfig from(Properties overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : overrides.stringPropertyNames()) {
            values.put(key, overrides.getProperty(key));
        }
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("LETHE_")) {
                values.put(k.substring(6).toLowerCase().replace('_', '.'), v);
            }
        });
        for (String key : values.keySet()) {
            if (key.startsWith("lethe.") && Settings.ALL.stream().noneMatch(s -> s.name().equals(key))) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; known settings: "
                        + Settings.ALL.stream().map(Setting::name).toList());
            }
        }
        Reader read = new Reader(values);
        String kind = read.get(Settings.LEARNER);
        FeatureMapSpec spec = read.featureMap();
        GradientSettings learner = read.gradientSettings();
        LetheConfig config = new LetheConfig(read.get(Settings.BOOTSTRAP_SERVERS), read.get(Settings.APPLICATION_ID),
                read.get(Settings.MODEL_NAME), Path.of(read.get(Settings.STATE_DIR)), Path.of(read.get(Settings.MODEL_STORE_DIR)),
                spec, read.get(Settings.RIDGE_GAMMA), read.get(Settings.MAX_CLASSES), read.get(Settings.INPUT_PARTITIONS),
                read.get(Settings.LEARN_BATCH_SIZE), read.get(Settings.LEARN_IN_BACKGROUND),
                (long) read.get(Settings.FEATURE_CACHE_MB) << 20,
                read.get(Settings.PUBLISH_EVERY_EXAMPLES), read.get(Settings.PUBLISH_IDLE_MS),
                read.get(Settings.SNAPSHOT_EVERY_EXAMPLES), read.get(Settings.MAX_RECORD_BYTES),
                read.get(Settings.COMMIT_INTERVAL_MS), streamsOverrides(values), kind, learner,
                read.get(Settings.ERASURE_BATCH_WINDOW_MS), read.get(Settings.METRICS_PORT), read.get(Settings.DASHBOARD_PORT),
                read.get(Settings.DASHBOARD_BIND), read.get(Settings.EVAL_EVERY_EXAMPLES), read.get(Settings.EVAL_PER_TASK),
                read.get(Settings.PURGE_INTERVAL_MS), read.get(Settings.TOPIC_SEGMENT_MS),
                new PrivacySettings(read.get(Settings.ENCRYPTION), read.get(Settings.KEK_FILE), read.get(Settings.KEK),
                        read.get(Settings.PURGE_INPUTS)));
        if (!read.problems.isEmpty()) {
            throw new IllegalArgumentException("invalid Lethe configuration:\n  " + String.join("\n  ", read.problems));
        }
        return config;
    }

    /** Reads settings, collecting every problem instead of stopping at the first. */
    private static final class Reader {
        private final Map<String, String> values;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> values) {
            this.values = values;
        }

        <T> T get(Setting<T> setting) {
            try {
                return setting.read(values);
            } catch (IllegalArgumentException e) {
                if (!problems.contains(e.getMessage())) {
                    problems.add(e.getMessage());
                }
                return setting.read(Map.of()); // the default, so reading goes on
            }
        }

        FeatureMapSpec featureMap() {
            int inputDim = get(Settings.INPUT_DIM);
            long seed = get(Settings.FEATURE_SEED);
            if (FeatureMapSpec.DENSE_RELU.equals(get(Settings.FEATURE_MAP))) {
                return FeatureMapSpec.denseRelu(inputDim, get(Settings.FEATURE_DENSE_FEATURES), seed);
            }
            int side = (int) Math.round(Math.sqrt(inputDim));
            if (side * side != inputDim) {
                problems.add("random-conv needs a square image; lethe.input.dim " + inputDim + " is not a square");
                return FeatureMapSpec.mnistConv(seed);
            }
            return side == 28 ? FeatureMapSpec.mnistConv(seed) : FeatureMapSpec.randomConv(side, 96, 5, 6, seed);
        }

        GradientSettings gradientSettings() {
            long seed = get(Settings.MLP_SEED);
            int threads = get(Settings.ND4J_THREADS);
            try {
                return new GradientSettings(get(Settings.MLP_HIDDEN), get(Settings.MLP_LEARNING_RATE), seed,
                        new io.lethe.learning.replay.RehearsalConfig(get(Settings.REHEARSAL_SCHEDULER),
                                get(Settings.REHEARSAL_EXPONENT), get(Settings.REHEARSAL_BUDGET), get(Settings.REPLAY_CAPACITY),
                                get(Settings.REPLAY_MAX_BYTES), get(Settings.REPLAY_POLICY),
                                get(Settings.REPLAY_TASK_FREE_WINDOW), seed),
                        threads < 0 ? 1 : threads, get(Settings.UNLEARNING_METHOD), get(Settings.NETWORK),
                        get(Settings.MLP_BATCH_SIZE), get(Settings.HOLDOUT_PERCENT), get(Settings.HOLDOUT_CAPACITY),
                        new UnlearningPolicySettings(get(Settings.UNLEARNING_GUARD), get(Settings.UNLEARNING_MAX_UTILITY_DROP),
                                get(Settings.UNLEARNING_MAX_FORGET_ACCURACY), get(Settings.UNLEARNING_MAX_FORGET_EXCESS),
                                get(Settings.UNLEARNING_EXACT_FRACTION), get(Settings.UNLEARNING_REMAIN_SIZE)),
                        get(Settings.NETWORK_SHARDS), get(Settings.STRATEGY));
            } catch (IllegalArgumentException e) {
                problems.add("lethe.replay.*, lethe.rehearsal.*, lethe.unlearning.method, lethe.strategy: " + e.getMessage());
                return new GradientSettings(1, 1, seed,
                        new io.lethe.learning.replay.RehearsalConfig("none", 0, 0, 1, 1, "reservoir", 0, seed), 1, "sfr-on",
                        "mlp", 1, 0, 1, new UnlearningPolicySettings(false, 0, 0, 0, 0, 0), 1, "none");
            }
        }
    }

    private static Map<String, String> streamsOverrides(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith("streams.")) {
                out.put(key.substring("streams.".length()), value);
            }
        });
        String guarantee = out.getOrDefault("processing.guarantee", "exactly_once_v2");
        if (!guarantee.equals("exactly_once_v2")) {
            throw new IllegalArgumentException("streams.processing.guarantee must stay exactly_once_v2, got '"
                    + guarantee + "': without it a crash could learn an example twice or lose an erasure");
        }
        return out;
    }
}
