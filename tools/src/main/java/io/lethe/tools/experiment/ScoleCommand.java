package io.lethe.tools.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.learning.experiment.ScoleRun;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.strategy.TrainingStrategy;
import io.lethe.modelstore.CheckpointStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lethe scole}: the SCoLe long-sequence scenario (tasks of two random MNIST classes, with
 * re-occurrence) for naive SGD and replay (any {@code lethe strategies} name), accuracy on all ten
 * classes after every task; prints a table, writes {@code var/scole-results.json} and the curves to
 * {@code docs/scole.png}.
 */
public final class ScoleCommand {

    /** Command-line options, with defaults. */
    public record Options(List<String> strategies, List<Long> seeds, int tasks, int perTask, int batch, int evalSize,
                          double learningRate, int hidden, int capacity, int budget, Path out, Path plot) {

        public Options {
            for (String s : strategies) {
                RehearsalCommand.strategy(s, budget, capacity, 0.5, "reservoir", 1);
                RehearsalCommand.plugin(s, 1);
            }
            new ScoleRun.Settings(tasks, perTask, batch, evalSize, 1); // checks the numbers
            if (seeds.isEmpty() || !(learningRate > 0) || hidden < 1) {
                throw new IllegalArgumentException("need --seeds, --lr > 0 and --hidden >= 1");
            }
        }

        public static Options parse(List<String> args) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("strategies", "naive,uniform");
            d.put("seeds", "1");
            d.put("tasks", "200");
            d.put("per-task", "500");
            d.put("batch", "32");
            d.put("eval", "2000");
            d.put("lr", "0.05");
            d.put("hidden", "400");
            d.put("capacity", "2000");
            d.put("budget", "32");
            d.put("out", "var/scole-results.json");
            d.put("plot", "docs/scole.png");
            Map<String, String> v = CommandOptions.parse(args, d);
            return new Options(List.of(v.get("strategies").split(",")),
                    Arrays.stream(v.get("seeds").split(",")).map(Long::parseLong).toList(), Integer.parseInt(v.get("tasks")),
                    Integer.parseInt(v.get("per-task")), Integer.parseInt(v.get("batch")), Integer.parseInt(v.get("eval")),
                    Double.parseDouble(v.get("lr")), Integer.parseInt(v.get("hidden")), Integer.parseInt(v.get("capacity")),
                    Integer.parseInt(v.get("budget")), Path.of(v.get("out")), Path.of(v.get("plot")));
        }
    }

    private final Options options;
    private final PrintStream out;

    public ScoleCommand(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public List<Map<String, Object>> run() throws Exception {
        NumericThreads.apply(1);
        Path dir = Path.of(System.getProperty("lethe.data.dir", "var/cache/data/mnist"));
        ImageDataset train = MnistIdx.load(dir, true);
        ImageDataset test = MnistIdx.load(dir, false);
        out.printf("== SCoLe on MNIST: %d tasks of two random classes (with re-occurrence), %d images each; MLP 784-%d-%d-10,"
                + " SGD lr %s, batch %d; accuracy on %,d test images of all ten classes after each task ==%n",
                options.tasks(), options.perTask(), options.hidden(), options.hidden(), options.learningRate(), options.batch(),
                options.evalSize());
        List<Map<String, Object>> rows = new ArrayList<>();
        List<LinePlot.Series> curves = new ArrayList<>();
        for (String strategy : options.strategies()) {
            for (long seed : options.seeds()) {
                out.printf("%s, seed %d:%n", strategy, seed);
                RehearsalConfig rehearsal = RehearsalCommand.strategy(strategy, options.budget(), options.capacity(), 0.5,
                        "reservoir", seed);
                NetworkLearner network = new NetworkLearner(784, options.hidden(), 10, options.learningRate(), 1, seed);
                TrainingStrategy plugin = RehearsalCommand.plugin(strategy, seed);
                ScoleRun.Result r = ScoleRun.run(train, test, RehearsalCommand.trainer(rehearsal, network, plugin,
                        options.learningRate()), new ScoleRun.Settings(
                        options.tasks(), options.perTask(), options.batch(), options.evalSize(), seed), out::println);
                rows.add(row(strategy, seed, r));
                if (seed == options.seeds().get(0)) {
                    List<double[]> points = new ArrayList<>();
                    for (int t = 0; t < r.accuracyAfterTask().length; t++) {
                        points.add(new double[] {t + 1, r.accuracyAfterTask()[t]});
                    }
                    curves.add(new LinePlot.Series(strategy, points));
                }
            }
        }
        print(rows);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("settings", Map.of("tasks", options.tasks(), "per_task", options.perTask(), "batch", options.batch(),
                "eval_images", options.evalSize(), "learning_rate", options.learningRate(), "hidden", options.hidden(),
                "capacity", options.capacity(), "budget", options.budget()));
        doc.put("rows", rows);
        CheckpointStore.writeAtomically(options.out().toAbsolutePath(),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        LinePlot.write(options.plot(), "SCoLe: test accuracy (%) on all ten MNIST classes after each two-class task (seed "
                + options.seeds().get(0) + ")", "task", 1, options.tasks(), curves, false);
        out.println("results written to " + options.out() + ", curves to " + options.plot());
        return rows;
    }

    private Map<String, Object> row(String strategy, long seed, ScoleRun.Result r) {
        int n = r.accuracyAfterTask().length;
        int window = Math.max(1, Math.min(10, n / 5));
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("scenario", "scole-" + n);
        e.put("strategy", strategy);
        e.put("seed", seed);
        e.put("after_first_task", r.accuracyAfterTask()[0]);
        e.put("mean_first_tasks", r.meanOver(1, 1 + window));
        e.put("mean_last_tasks", r.meanOver(n - window + 1, n + 1));
        e.put("max", Arrays.stream(r.accuracyAfterTask()).max().orElse(Double.NaN));
        e.put("accumulates", r.meanOver(n - window + 1, n + 1) > r.meanOver(1, 1 + window) + 5);
        e.put("tasks_averaged", window);
        e.put("learn_seconds", r.seconds());
        e.put("accuracy_after_task", r.accuracyAfterTask());
        return e;
    }

    private void print(List<Map<String, Object>> rows) {
        out.println();
        out.printf("%-18s %5s %12s %16s %16s %8s %12s%n", "strategy", "seed", "after task 1", "first tasks mean",
                "last tasks mean", "max", "accumulates");
        for (Map<String, Object> e : rows) {
            out.printf(Locale.ROOT, "%-18s %5d %12.2f %16.2f %16.2f %8.2f %12s%n", e.get("strategy"), e.get("seed"),
                    e.get("after_first_task"), e.get("mean_first_tasks"), e.get("mean_last_tasks"), e.get("max"),
                    e.get("accumulates"));
        }
        out.println("accuracy (%) on all ten classes; first/last tasks mean over the first/last "
                + rows.get(0).get("tasks_averaged") + " tasks; accumulates = the last tasks' mean exceeds the first tasks'"
                + " by more than 5 points");
    }
}
