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
 * @param learnBatchSize examples learned per learner update
 * @param publishEveryExamples publish a model version after this many learned examples
 * @param publishIdleMs publish pending learning after this long without input
 * @param snapshotEveryExamples snapshot the learner state after this many journal events
 * @param maxRecordBytes larger input records go to the dead-letter topic
 * @param commitIntervalMs Kafka Streams commit interval (exactly_once_v2)
 * @param streamsOverrides settings given as {@code streams.<name>}, passed to Kafka Streams as {@code <name>}
 * @param learner which learner, and the gradient learner's network and rehearsal settings
 * @param erasureBatchWindowMs gradient learner: erasures within this window are unlearned together
 * @param holdoutPercent gradient learner: share of examples held out (stored, not learned) as test data
 * @param holdoutCapacity gradient learner: held-out examples kept for evaluation
 * @param metricsPort Prometheus endpoint port (0: any free port; -1: no endpoint)
 * @param dashboardPort live dashboard port (0: any free port; -1: no dashboard)
 * @param dashboardBind address the dashboard listens on (loopback unless opened up)
 * @param evalEveryExamples continual evaluation every this many learned examples (0: off)
 * @param evalPerTask evaluation examples kept per task
 */
public record LetheConfig(String bootstrapServers, String applicationId, String modelName, Path stateDir,
                          Path modelStoreDir, FeatureMapSpec featureMap, double ridgeGamma, int maxClasses,
                          int inputPartitions, int learnBatchSize, int publishEveryExamples, long publishIdleMs,
                          int snapshotEveryExamples, int maxRecordBytes, long commitIntervalMs,
                          java.util.Map<String, String> streamsOverrides, GradientSettings learner,
                          long erasureBatchWindowMs, double holdoutPercent, int holdoutCapacity, int metricsPort, int dashboardPort, String dashboardBind,
                          int evalEveryExamples, int evalPerTask) {

    /** Defaults, with documentation, as (key, default, description). */
    public static final List<String[]> SETTINGS = List.of(
            new String[] {"bootstrap.servers", "", "Kafka cluster; empty starts an embedded KRaft broker on loopback"},
            new String[] {"lethe.application.id", "lethe", "Kafka Streams application id"},
            new String[] {"lethe.model.name", "mnist", "model name (letters, digits, . _ -)"},
            new String[] {"lethe.state.dir", "var/state", "Kafka Streams state and learner snapshots"},
            new String[] {"lethe.model.store.dir", "var/models", "checkpoint store folder"},
            new String[] {"lethe.feature.map", "random-conv", "random-conv (96 5x5 filters, 6x6 pooling, 1,536 features) or dense-relu"},
            new String[] {"lethe.feature.dense.features", "2048", "width of the dense-relu map"},
            new String[] {"lethe.feature.seed", "42", "seed of the feature map"},
            new String[] {"lethe.input.dim", "784", "input length (28 x 28 images for random-conv)"},
            new String[] {"lethe.ridge.gamma", "1.0", "ridge regularisation, > 0"},
            new String[] {"lethe.max.classes", "10", "labels must lie in [0, max.classes)"},
            new String[] {"lethe.input.partitions", "3", "partitions of the examples and erasures topics"},
            new String[] {"lethe.learn.batch.size", "256", "examples per learner update"},
            new String[] {"lethe.publish.every.examples", "5000", "publish a version after this many learned examples"},
            new String[] {"lethe.publish.idle.ms", "1000", "publish pending learning after this long without input"},
            new String[] {"lethe.snapshot.every.examples", "20000", "snapshot the learner after this many journal events"},
            new String[] {"lethe.max.record.bytes", "65536", "larger input records are dead-lettered"},
            new String[] {"lethe.commit.interval.ms", "100", "Kafka Streams commit interval (exactly_once_v2: each commit is a transaction); erasures request their own commit"},
            new String[] {"lethe.learner", "analytic", "analytic (exact unlearning, frozen features) or mlp (DL4J network trained by SGD with replay)"},
            new String[] {"lethe.network", "mlp", "gradient learner: mlp (input-h-h-classes) or cnn (conv 5x5x16, pool, conv 5x5x32, pool, dense h; square images)"},
            new String[] {"lethe.mlp.hidden", "400", "mlp: units per hidden layer (input-h-h-max.classes)"},
            new String[] {"lethe.mlp.learning.rate", "0.05", "mlp: SGD learning rate"},
            new String[] {"lethe.mlp.seed", "1", "mlp: seed of the initial weights and of replay sampling"},
            new String[] {"lethe.mlp.batch.size", "32", "mlp: stream examples per training step"},
            new String[] {"lethe.replay.capacity", "2000", "mlp: replay buffer capacity in examples (>= 1)"},
            new String[] {"lethe.replay.max.bytes", "16777216", "mlp: replay buffer capacity in bytes (>= 1)"},
            new String[] {"lethe.replay.policy", "reservoir", "mlp: storage policy: reservoir, class-balanced or task-balanced"},
            new String[] {"lethe.rehearsal.scheduler", "uniform", "mlp: none, uniform or power-law"},
            new String[] {"lethe.rehearsal.exponent", "0.5", "mlp: d of the power-law schedule, >= 0"},
            new String[] {"lethe.rehearsal.budget", "32", "mlp: replayed examples mixed into each training step"},
            new String[] {"lethe.replay.task.free.window", "0", "mlp: 0 uses the examples' task field; N > 0 treats every N stream examples as a pseudo-task (task-free streams)"},
            new String[] {"lethe.erasure.batch.window.ms", "500", "mlp: erasures arriving within this window are unlearned together (each still gets its own receipt); 0 = one at a time. The analytic learner always answers at once"},
            new String[] {"lethe.holdout.percent", "2", "mlp: percent of examples held out (stored and erasable, never learned) as test data for the receipts' test accuracy and membership-inference score"},
            new String[] {"lethe.holdout.capacity", "1000", "mlp: held-out examples kept for evaluation"},
            new String[] {"lethe.unlearning.method", "sfr-on", "mlp: approximate unlearning: sfr-on, ssd, gradient-ascent or fine-tune (remain data: the replay buffer)"},
            new String[] {"lethe.eval.every.examples", "2000", "continual evaluation on the lethe.eval-examples sets every this many learned examples (0: off)"},
            new String[] {"lethe.eval.per.task", "500", "evaluation examples kept per task"},
            new String[] {"lethe.metrics.port", "9464", "Prometheus metrics at http://<host>:<port>/metrics (0: any free port, -1: off)"},
            new String[] {"lethe.dashboard.port", "8080", "live dashboard at http://<host>:<port>/ (0: any free port, -1: off; a taken port falls back to a free one)"},
            new String[] {"lethe.dashboard.bind", "127.0.0.1", "address the dashboard listens on; 0.0.0.0 serves other hosts too (it has no authentication)"},
            new String[] {"lethe.nd4j.threads", "-1", "ND4J threads: -1 = 1 for mlp (small GEMMs run faster on one thread) and the backend default for analytic; 0 = backend default"});

    public LetheConfig {
        List<String> problems = new ArrayList<>();
        if (ridgeGamma <= 0 || Double.isNaN(ridgeGamma) || Double.isInfinite(ridgeGamma)) {
            problems.add("lethe.ridge.gamma must be a positive number, got " + ridgeGamma);
        }
        if (maxClasses < 2) {
            problems.add("lethe.max.classes must be at least 2, got " + maxClasses);
        }
        if (inputPartitions < 1) {
            problems.add("lethe.input.partitions must be at least 1, got " + inputPartitions);
        }
        if (learnBatchSize < 1) {
            problems.add("lethe.learn.batch.size must be at least 1, got " + learnBatchSize);
        }
        if (publishEveryExamples < 1) {
            problems.add("lethe.publish.every.examples must be at least 1, got " + publishEveryExamples);
        }
        if (snapshotEveryExamples < 1) {
            problems.add("lethe.snapshot.every.examples must be at least 1, got " + snapshotEveryExamples);
        }
        if (maxRecordBytes < 1024) {
            problems.add("lethe.max.record.bytes must be at least 1024, got " + maxRecordBytes);
        }
        if (!(holdoutPercent >= 0 && holdoutPercent < 50)) {
            problems.add("lethe.holdout.percent must lie in [0, 50), got " + holdoutPercent);
        }
        if (holdoutCapacity < 1) {
            problems.add("lethe.holdout.capacity must be at least 1, got " + holdoutCapacity);
        }
        if (evalEveryExamples < 0 || evalPerTask < 1) {
            problems.add("lethe.eval.every.examples must be >= 0 and lethe.eval.per.task >= 1, got " + evalEveryExamples
                    + " and " + evalPerTask);
        }
        if (metricsPort < -1 || metricsPort > 65535) {
            problems.add("lethe.metrics.port must be -1 (off), 0 (any free port) or a port number, got " + metricsPort);
        }
        if (dashboardPort < -1 || dashboardPort > 65535) {
            problems.add("lethe.dashboard.port must be -1 (off), 0 (any free port) or a port number, got " + dashboardPort);
        }
        if (dashboardBind == null || dashboardBind.isBlank()) {
            problems.add("lethe.dashboard.bind must be an address such as 127.0.0.1 or 0.0.0.0");
        }
        if (erasureBatchWindowMs < 0) {
            problems.add("lethe.erasure.batch.window.ms must be >= 0, got " + erasureBatchWindowMs);
        }
        if (applicationId == null || !applicationId.matches("[A-Za-z0-9._-]{1,180}")) {
            problems.add("lethe.application.id may hold only letters, digits, '.', '_' and '-' (it names the learner's"
                    + " command topic): '" + applicationId + "'");
        }
        if (!modelName.matches("[A-Za-z0-9._-]+")) {
            problems.add("lethe.model.name may hold only letters, digits, '.', '_' and '-': '" + modelName + "'");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid Lethe configuration:\n  " + String.join("\n  ", problems));
        }
        streamsOverrides = java.util.Map.copyOf(streamsOverrides);
    }

    /** Which examples the learner holds out as test data (the analytic learner holds out none). */
    public io.lethe.streams.erasure.HoldOutRule holdOutRule() {
        return new io.lethe.streams.erasure.HoldOutRule(holdoutPercent, learner.seed());
    }

    public boolean embeddedBroker() {
        return bootstrapServers == null || bootstrapServers.isBlank();
    }

    public LetheConfig withBootstrapServers(String servers) {
        return new LetheConfig(servers, applicationId, modelName, stateDir, modelStoreDir, featureMap, ridgeGamma,
                maxClasses, inputPartitions, learnBatchSize, publishEveryExamples, publishIdleMs,
                snapshotEveryExamples, maxRecordBytes, commitIntervalMs, streamsOverrides, learner, erasureBatchWindowMs,
                holdoutPercent, holdoutCapacity, metricsPort, dashboardPort, dashboardBind, evalEveryExamples, evalPerTask);
    }

    /** Reads settings: defaults, overridden by the given properties, overridden by LETHE_* env vars. */
    public static LetheConfig from(Properties overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String[] setting : SETTINGS) {
            values.put(setting[0], setting[1]);
        }
        for (String key : overrides.stringPropertyNames()) {
            values.put(key, overrides.getProperty(key));
        }
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("LETHE_")) {
                values.put(k.substring(6).toLowerCase().replace('_', '.'), v);
            }
        });
        for (String key : values.keySet()) {
            if (key.startsWith("lethe.") && SETTINGS.stream().noneMatch(s -> s[0].equals(key))) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; known settings: "
                        + SETTINGS.stream().map(s -> s[0]).toList());
            }
        }
        try {
            int inputDim = Integer.parseInt(values.get("lethe.input.dim"));
            long seed = Long.parseLong(values.get("lethe.feature.seed"));
            String kind = values.get("lethe.feature.map");
            FeatureMapSpec spec = switch (kind) {
                case FeatureMapSpec.RANDOM_CONV -> {
                    int side = (int) Math.round(Math.sqrt(inputDim));
                    if (side * side != inputDim) {
                        throw new IllegalArgumentException("random-conv needs a square image; lethe.input.dim " + inputDim
                                + " is not a square");
                    }
                    yield side == 28 ? FeatureMapSpec.mnistConv(seed) : FeatureMapSpec.randomConv(side, 96, 5, 6, seed);
                }
                case FeatureMapSpec.DENSE_RELU -> FeatureMapSpec.denseRelu(inputDim,
                        Integer.parseInt(values.get("lethe.feature.dense.features")), seed);
                default -> throw new IllegalArgumentException("lethe.feature.map must be random-conv or dense-relu, got '"
                        + kind + "'");
            };
            return new LetheConfig(values.get("bootstrap.servers"), values.get("lethe.application.id"),
                    values.get("lethe.model.name"), Path.of(values.get("lethe.state.dir")),
                    Path.of(values.get("lethe.model.store.dir")), spec,
                    Double.parseDouble(values.get("lethe.ridge.gamma")),
                    Integer.parseInt(values.get("lethe.max.classes")),
                    Integer.parseInt(values.get("lethe.input.partitions")),
                    Integer.parseInt(values.get(GradientSettings.MLP.equals(values.get("lethe.learner"))
                            ? "lethe.mlp.batch.size" : "lethe.learn.batch.size")),
                    Integer.parseInt(values.get("lethe.publish.every.examples")),
                    Long.parseLong(values.get("lethe.publish.idle.ms")),
                    Integer.parseInt(values.get("lethe.snapshot.every.examples")),
                    Integer.parseInt(values.get("lethe.max.record.bytes")),
                    Long.parseLong(values.get("lethe.commit.interval.ms")), streamsOverrides(values),
                    gradientSettingsChecked(values), Long.parseLong(values.get("lethe.erasure.batch.window.ms")),
                    GradientSettings.MLP.equals(values.get("lethe.learner"))
                            ? Double.parseDouble(values.get("lethe.holdout.percent")) : 0,
                    Integer.parseInt(values.get("lethe.holdout.capacity")),
                    Integer.parseInt(values.get("lethe.metrics.port")),
                    Integer.parseInt(values.get("lethe.dashboard.port")), values.get("lethe.dashboard.bind"),
                    Integer.parseInt(values.get("lethe.eval.every.examples")),
                    Integer.parseInt(values.get("lethe.eval.per.task")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid Lethe configuration: a numeric setting is not a number ("
                    + e.getMessage() + ")", e);
        }
    }

    private static GradientSettings gradientSettings(Map<String, String> values) {
        String learner = values.get("lethe.learner");
        int threads = Integer.parseInt(values.get("lethe.nd4j.threads"));
        if (threads < 0) {
            threads = GradientSettings.MLP.equals(learner) ? 1 : 0;
        }
        long seed = Long.parseLong(values.get("lethe.mlp.seed"));
        return new GradientSettings(learner, Integer.parseInt(values.get("lethe.mlp.hidden")),
                Double.parseDouble(values.get("lethe.mlp.learning.rate")), seed,
                new io.lethe.learning.replay.RehearsalConfig(values.get("lethe.rehearsal.scheduler"),
                        Double.parseDouble(values.get("lethe.rehearsal.exponent")),
                        Integer.parseInt(values.get("lethe.rehearsal.budget")),
                        Integer.parseInt(values.get("lethe.replay.capacity")),
                        Long.parseLong(values.get("lethe.replay.max.bytes")), values.get("lethe.replay.policy"),
                        Long.parseLong(values.get("lethe.replay.task.free.window")), seed),
                threads, values.get("lethe.unlearning.method"), values.get("lethe.network"));
    }

    private static GradientSettings gradientSettingsChecked(Map<String, String> values) {
        try {
            return gradientSettings(values);
        } catch (NumberFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid Lethe configuration (lethe.learner, lethe.mlp.*, lethe.replay.*, "
                    + "lethe.rehearsal.*): " + e.getMessage(), e);
        }
    }

    private static Map<String, String> streamsOverrides(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith("streams.")) {
                out.put(key.substring("streams.".length()), value);
            }
        });
        return out;
    }
}
