package io.lethe.tools.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.learning.experiment.CorruptionScenario;
import io.lethe.learning.experiment.UnlearningBenchmark;
import io.lethe.learning.unlearning.UnlearningMethod;
import io.lethe.modelstore.CheckpointStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lethe unlearning}: the MNIST unlearning table (random and class forgetting; SFR-on, SSD,
 * gradient ascent, fine-tuning against the retrain oracle), printed and written to
 * {@code var/unlearning-results.json}.
 */
public final class UnlearningCommand {

    /** Command-line options. */
    public record Options(List<String> scenarios, List<String> methods, int epochs, double learningRate, int hidden,
                          long seed, int sisaShards, Path out) {

        public Options {
            methods.forEach(UnlearningMethod::named); // unknown names fail before any training
            if (epochs < 1 || hidden < 1 || !(learningRate > 0) || sisaShards < 0) {
                throw new IllegalArgumentException("need --epochs >= 1, --hidden >= 1, --lr > 0, --sisa-shards >= 0");
            }
        }

        public static Options parse(List<String> args) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("scenarios", "random-10,class-3,corrupt-3,sequence-3+5+8");
            d.put("methods", "sfr-on,sfr-on-sam,ssd,gradient-ascent,gradient-ascent-sam,fine-tune,iau,gs-lora");
            d.put("epochs", "5");
            d.put("lr", "0.1");
            d.put("hidden", "400");
            d.put("seed", "1");
            d.put("sisa-shards", "4");
            d.put("out", "var/unlearning-results.json");
            Map<String, String> v = CommandOptions.parse(args, d);
            return new Options(List.of(v.get("scenarios").split(",")), List.of(v.get("methods").split(",")),
                    Integer.parseInt(v.get("epochs")), Double.parseDouble(v.get("lr")), Integer.parseInt(v.get("hidden")),
                    Long.parseLong(v.get("seed")), Integer.parseInt(v.get("sisa-shards")), Path.of(v.get("out")));
        }
    }

    private final Options options;
    private final PrintStream out;

    public UnlearningCommand(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public List<UnlearningBenchmark.Row> run() throws Exception {
        NumericThreads.apply(1);
        Path dir = Path.of(System.getProperty("lethe.data.dir", "var/cache/data/mnist"));
        ImageDataset train = MnistIdx.load(dir, true);
        ImageDataset test = MnistIdx.load(dir, false);
        List<UnlearningMethod> methods = options.methods().stream().map(UnlearningMethod::named).toList();
        out.printf("== unlearning on MNIST: MLP 784-%d-%d-10, SGD lr %s, %d epochs, seed %d; scenarios %s ==%n",
                options.hidden(), options.hidden(), options.learningRate(), options.epochs(), options.seed(),
                options.scenarios());
        UnlearningBenchmark benchmark = new UnlearningBenchmark(train, test, new UnlearningBenchmark.Settings(
                options.epochs(), 64, options.learningRate(), options.hidden(), options.seed(), 10_000, options.sisaShards()),
                out::println);
        List<UnlearningBenchmark.Row> rows = benchmark.run(options.scenarios(), methods);
        print(rows, benchmark.exactRecoveries());
        write(rows, methods, benchmark.exactRecoveries());
        out.println("results written to " + options.out());
        return rows;
    }

    private void print(List<UnlearningBenchmark.Row> rows, List<CorruptionScenario.ExactRecovery> exact) {
        out.println();
        out.printf("%-10s %-25s %7s %7s %7s %7s %8s %8s %9s %9s %8s %9s %9s %12s %12s %9s%n", "scenario", "method", "UA", "RA",
                "TA", "MIA", "MIA-loss", "per-cls", "UA relrn", "UA weak", "avg gap", "time s", "% oracle", "class test",
                "others test", "recovery");
        Map<String, Double> oracleSeconds = new LinkedHashMap<>();
        rows.stream().filter(r -> r.method().equals("retrain-oracle")).forEach(r -> oracleSeconds.put(r.scenario(), r.seconds()));
        for (UnlearningBenchmark.Row r : rows) {
            out.printf(Locale.ROOT, "%-10s %-25s %7.2f %7.2f %7.2f %7.2f %8.2f %8.2f %9.2f %9.2f %8s %9.2f %9.1f %12s %12s %9s%n",
                    r.scenario(), r.method(), r.metrics().ua(), r.metrics().ra(), r.metrics().ta(), r.metrics().mia(),
                    r.miaLoss(), r.miaLossPerClass(), r.uaAfterRelearning(), r.uaAfterWeakRelearning(),
                    Double.isNaN(r.gap()) ? "-" : String.format(Locale.ROOT, "%.2f", r.gap()), r.seconds(),
                    100 * r.seconds() / oracleSeconds.get(r.scenario()),
                    Double.isNaN(r.forgetClassTest()) ? "-" : String.format(Locale.ROOT, "%.2f", r.forgetClassTest()),
                    Double.isNaN(r.otherClassesTest()) ? "-" : String.format(Locale.ROOT, "%.2f", r.otherClassesTest()),
                    Double.isNaN(r.recovery()) ? "-" : String.format(Locale.ROOT, "%.1f%%", r.recovery()));
        }
        for (CorruptionScenario.ExactRecovery e : exact) {
            out.printf(Locale.ROOT, "%-10s %-25s class test: clean %.2f, corrupted %.2f, after unlearning %.2f; recovery"
                    + " %.1f%%; head vs the clean learner's %.1e (relative Frobenius); %,d examples unlearned in %.2f s;"
                    + " relearning 1 %% of them: class test %.2f, head %.1e from the clean learner relearning the same%n",
                    e.scenario(), "analytic ridge (exact)", e.cleanDamagedTest(), e.corruptedDamagedTest(),
                    e.unlearnedDamagedTest(), e.recovery(), e.distanceToCleanSolve(), e.corrupting(), e.unlearnSeconds(),
                    e.relearnedDamagedTest(), e.relearnedDistanceToClean());
        }
        out.println("UA = 100 - accuracy on the forget set; RA on 10,000 retained examples; TA on the 10,000 test images;"
                + " MIA = % of the forget set a confidence-threshold attack (members: retained, non-members: test) calls"
                + " non-member; MIA-loss = % of the forget set a loss threshold fitted on shadow data (5,000 other retained"
                + " examples vs the even test images) calls non-member, per-cls with one threshold per class; UA relrn ="
                + " UA after 10 steps of the network's own SGD (lr 0.1) on a fixed 1 % of the forget set (a relearning"
                + " attack), UA weak after 5 plain SGD steps at lr 0.01 on the same 1 %; avg gap ="
                + " mean |metric - oracle| over UA, RA, TA, MIA; class/others test = test accuracy on the forgotten class /"
                + " on the other classes (corrupt-C: on the damaged class C / the others); recovery (corrupt-C) = share of"
                + " the damage to class C's test accuracy undone, 100 (acc - corrupted) / (clean - corrupted), the retrain"
                + " oracle being the clean model");
    }

    private void write(List<UnlearningBenchmark.Row> rows, List<UnlearningMethod> methods,
                       List<CorruptionScenario.ExactRecovery> exact) throws Exception {
        Map<String, Double> oracleSeconds = new LinkedHashMap<>();
        rows.stream().filter(r -> r.method().equals("retrain-oracle")).forEach(r -> oracleSeconds.put(r.scenario(), r.seconds()));
        List<Map<String, Object>> entries = new ArrayList<>();
        for (UnlearningBenchmark.Row r : rows) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("scenario", r.scenario());
            e.put("method", r.method());
            e.put("seed", options.seed());
            e.put("forgotten_examples", r.forgotten());
            e.put("ua", r.metrics().ua());
            e.put("ra", r.metrics().ra());
            e.put("ta", r.metrics().ta());
            e.put("mia", r.metrics().mia());
            e.put("mia_loss", r.miaLoss());
            e.put("mia_loss_per_class", r.miaLossPerClass());
            e.put("ua_after_relearning", RehearsalCommand.finite(r.uaAfterRelearning()));
            e.put("ua_after_weak_relearning", RehearsalCommand.finite(r.uaAfterWeakRelearning()));
            e.put("avg_gap_to_oracle", RehearsalCommand.finite(r.gap()));
            e.put("seconds", r.seconds());
            e.put("ratio_to_oracle_time", r.seconds() / oracleSeconds.get(r.scenario()));
            e.put("forgotten_class_test_accuracy", RehearsalCommand.finite(r.forgetClassTest()));
            e.put("other_classes_test_accuracy", RehearsalCommand.finite(r.otherClassesTest()));
            e.put("recovery", RehearsalCommand.finite(r.recovery()));
            methods.stream().filter(m -> m.name().equals(r.method())).findFirst().ifPresent(m -> e.put("config", m.config()));
            entries.add(e);
        }
        for (CorruptionScenario.ExactRecovery x : exact) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("scenario", x.scenario());
            e.put("method", "analytic-ridge (exact)");
            e.put("seed", options.seed());
            e.put("forgotten_examples", x.corrupting());
            e.put("seconds", x.unlearnSeconds());
            e.put("forgotten_class_test_accuracy", x.unlearnedDamagedTest());
            e.put("clean_class_test_accuracy", x.cleanDamagedTest());
            e.put("corrupted_class_test_accuracy", x.corruptedDamagedTest());
            e.put("recovery", x.recovery());
            e.put("distance_to_clean_solve", x.distanceToCleanSolve());
            e.put("class_test_accuracy_after_relearning", x.relearnedDamagedTest());
            e.put("distance_to_clean_after_relearning", x.relearnedDistanceToClean());
            entries.add(e);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", Map.of("architecture", "784-" + options.hidden() + "-" + options.hidden() + "-10",
                "epochs", options.epochs(), "learning_rate", options.learningRate(), "batch_size", 64));
        doc.put("rows", entries);
        CheckpointStore.writeAtomically(options.out().toAbsolutePath(),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
    }
}
