package io.lethe.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.learning.LabeledBatch;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.learning.feature.FeatureMapSpec;
import io.lethe.learning.feature.RandomConvFeatureMap;
import io.lethe.modelstore.CheckpointStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code lethe bench}: this machine's GEMM ceilings first, then each stage of the analytic learner
 * as a ratio to its floor (the flops it needs at the ceiling measured in the same run), then the
 * Kafka path (the demo on the embedded broker, the real topology) as a ratio to the in-memory
 * learner, then scaling tables. Writes {@code var/bench-results.json}: rows {name, value, unit,
 * target, met}. Only ratios within one run mean anything on a shared machine; absolute figures are
 * printed for context.
 */
public final class PerformanceBench {

    /** What to run: the data, where results go, how many examples the in-memory stages use, and which parts. */
    public record Options(Path dataDir, Path output, Path workDir, int examples, int subjectErasures, boolean kafka,
                          boolean scaling, boolean kafkaOnly, boolean kafkaWithReplay, Properties overrides) {
    }

    private final Options options;
    private final PrintStream out;
    private final List<BenchRow> rows = new ArrayList<>();
    private final Map<String, Object> tables = new LinkedHashMap<>();

    public PerformanceBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public List<BenchRow> run() throws Exception {
        ImageDataset train = MnistIdx.load(options.dataDir(), true);
        if (options.kafkaOnly()) { // for trying Kafka settings: no ceilings, no ratios, nothing written
            KafkaPath.Result r = KafkaPath.run(train, options.workDir().resolve("kafka"), options.subjectErasures(),
                    options.kafkaWithReplay(), options.overrides(), out);
            if (options.kafkaWithReplay()) {
                out.printf("kafka only, with the replay network beside it: %,.0f examples/s (after a warm-up of %s)%n",
                        r.examplesPerSecond(), r.warmUp());
                return rows;
            }
            double[] sorted = r.subjectErasureMs().clone();
            java.util.Arrays.sort(sorted);
            // The slowest five as "request number: total / until the receipt was written", to tell where a tail is.
            String slowest = java.util.stream.IntStream.range(0, sorted.length).boxed()
                    .sorted((a, b) -> Double.compare(r.subjectErasureMs()[b], r.subjectErasureMs()[a])).limit(5)
                    .map(i -> String.format("#%d: %.0f / %.0f (%s)", i, r.subjectErasureMs()[i], r.untilReceiptWrittenMs()[i],
                            r.stages()[i]))
                    .collect(java.util.stream.Collectors.joining("; "));
            out.printf("kafka only: %,.0f examples/s (after a warm-up of %s); subject erasure p50 %.0f ms,"
                    + " p90 %.0f, p99 %.0f; slowest (total / receipt written, ms) %s; class %.0f ms%n",
                    r.examplesPerSecond(), r.warmUp(), percentile(sorted, 50), percentile(sorted, 90),
                    percentile(sorted, 99), slowest, r.classErasureMs());
            return rows;
        }
        FeatureMapSpec spec = FeatureMapSpec.mnistConv(42);
        int d = spec.outputDim();
        long[] convShape = RandomConvFeatureMap.gemmShape(spec);
        int batch = 256;

        out.println("== ceilings: ND4J GEMM on this machine, at the shapes the learner runs ==");
        int cores = Runtime.getRuntime().availableProcessors();
        GemmCeiling f32Square = ceiling("gemm_f32_square", DataType.FLOAT, 2048, 2048, 2048, false, 1);
        GemmCeiling f64Square = ceiling("gemm_f64_square", DataType.DOUBLE, 2048, 2048, 2048, false, 1);
        GemmCeiling f32Conv = ceiling("gemm_f32_conv_shape", DataType.FLOAT, convShape[0], convShape[1], convShape[2], false,
                cores);
        GemmCeiling f64Conv = ceiling("gemm_f64_conv_shape", DataType.DOUBLE, convShape[0], convShape[1], convShape[2], false,
                cores);
        GemmCeiling f64Stats = ceiling("gemm_f64_statistics_shape", DataType.DOUBLE, d, batch, d, true, 1);

        int threads = io.lethe.streams.LetheConfig.from(options.overrides()).learner().threads();
        io.lethe.learning.NumericThreads.apply(threads); // as the application runs its learner
        out.printf("%n== in-memory stages: conv map (%,d features), %,d MNIST images, batches of %d, BLAS threads %d ==%n", d,
                options.examples(), batch, threads);
        InMemoryStages.Result stages = InMemoryStages.measure(spec, train, options.examples(), batch, out);
        double featureFlops = 2.0 * convShape[0] * convShape[1] * convShape[2];
        double featureGflops = stages.featurisePerSecond() * featureFlops / 1e9;
        // G += X^T X (its lower triangle, by a symmetric rank-k update, on the CPU backend) and Q += X^T Y:
        // the flops the update needs, so that a cheaper kernel raises the floor with the rate.
        double statsFlops = io.lethe.learning.analytic.AnalyticRidgeLearner.statisticsFlopsPerExample(d, 10);
        String statsFlopsRule = io.lethe.learning.analytic.AnalyticRidgeLearner.statisticsFlopsRule();
        double statsGflops = stages.statisticsPerSecond() * statsFlops / 1e9;
        rows.add(BenchRow.measured("featurisation_rate", stages.featurisePerSecond(), "images/s",
                String.format("%.1f GFLOP/s (%.2f MFLOP per image in its GEMM)", featureGflops, featureFlops / 1e6)));
        rows.add(BenchRow.atLeast("featurisation_vs_f32_gemm", 100 * featureGflops / f32Conv.gflops(), "% of ceiling", 50,
                "featurisation GFLOP/s over the float32 GEMM rate at the conv GEMM's own shape (" + f32Conv.shape() + ")"));
        rows.add(BenchRow.measured("featurisation_vs_f32_square_gemm", 100 * featureGflops / f32Square.gflops(), "% of ceiling",
                "the same, over the float32 2048^3 GEMM rate"));
        rows.add(BenchRow.measured("statistics_update_rate", stages.statisticsPerSecond(), "examples/s",
                String.format("%.1f GFLOP/s, counting the flops it needs (%s per example)", statsGflops, statsFlopsRule)));
        rows.add(BenchRow.atLeast("statistics_update_vs_f64_gemm", 100 * statsGflops / f64Stats.gflops(), "% of ceiling", 70,
                "statistics update over the float64 GEMM rate at its own shape (" + f64Stats.shape() + ")"));
        double floorSecondsPerExample = featureFlops / (f32Conv.gflops() * 1e9) + statsFlops / (f64Stats.gflops() * 1e9);
        rows.add(BenchRow.measured("in_memory_learning_rate", stages.learnPerSecond(), "examples/s",
                "features, statistics and the head solve, one learner, batches of " + batch));
        rows.add(BenchRow.atLeast("in_memory_learning_vs_floor", 100 * stages.learnPerSecond() * floorSecondsPerExample,
                "% of floor", 50, String.format("floor %.0f examples/s: featurisation at the float32 conv-shape GEMM rate plus the"
                        + " statistics at the float64 one", 1 / floorSecondsPerExample)));
        rows.add(BenchRow.measured("in_memory_subject_erasure_p50", stages.subjectErasureP50Ms(), "ms",
                "unlearn 60 examples and re-solve the head, median of " + stages.subjectErasures()));
        rows.add(BenchRow.measured("in_memory_class_erasure", stages.classErasureMs(), "ms",
                String.format("unlearn one class (%,d examples) and re-solve the head", stages.classErasureExamples())));

        if (options.kafka()) {
            kafka(train, stages.learnPerSecond(), stages.learnBusyCores());
        }
        if (options.scaling()) {
            tables.put("learning_cost_vs_features", ScalingTables.featureDimension(train, out));
            tables.put("erasure_cost_vs_retained_size", ScalingTables.retainedSize(train, options.workDir().resolve("scaling"), out));
        }
        print();
        write(List.of(f32Square, f64Square, f32Conv, f64Conv, f64Stats));
        return rows;
    }

    private GemmCeiling ceiling(String name, DataType type, long m, long k, long n, boolean transposeA, int callers) {
        GemmCeiling c = GemmCeiling.measure(name, type, m, k, n, transposeA, callers, 3.0);
        out.printf("  %-28s %-48s %8.1f GFLOP/s%n", name, c.shape(), c.gflops());
        rows.add(BenchRow.measured(name, c.gflops(), "GFLOP/s", c.shape()));
        return c;
    }

    /** The Kafka path twice: the analytic learner alone, then with the replay network beside it. */
    private void kafka(ImageDataset train, double inMemoryRate, double inMemoryBusyCores) throws Exception {
        out.printf("%n== Kafka: the real topology on the embedded broker, %,d examples, %d single-subject erasures ==%n",
                train.size(), options.subjectErasures());
        KafkaPath.Result alone = KafkaPath.run(train, options.workDir().resolve("kafka"), options.subjectErasures(), false,
                options.overrides(), out);
        out.printf("%n== Kafka: the same stream with the replay network's application beside it ==%n");
        KafkaPath.Result withReplay = KafkaPath.run(train, options.workDir().resolve("kafka-replay"), 0, true,
                options.overrides(), out);
        out.printf("%n== Kafka: the same path with a learner that does nothing (16 dense features), to measure what"
                + " the broker, the clients and the topology cost on their own ==%n");
        Properties bareLearner = new Properties();
        bareLearner.putAll(options.overrides());
        bareLearner.setProperty("lethe.feature.map", "dense-relu");
        bareLearner.setProperty("lethe.feature.dense.features", "16");
        KafkaPath.Result bare = KafkaPath.run(train, options.workDir().resolve("kafka-bare"), KafkaPath.LEARN_ONLY, false,
                bareLearner, out);
        rows.add(BenchRow.measured("kafka_learning_rate", alone.examplesPerSecond(), "examples/s",
                "all of MNIST produced at once, first send to the version covering every example; after a warm-up"
                        + " of " + alone.warmUp()));
        // Why the ratio is what it is: the CPU the Kafka path spends per example, and on what, against the
        // in-memory learner's, and how many of the cores each kept busy.
        CpuAccount.Spent cpu = alone.learningCpu();
        double perThousand = cpu.perThousandExamples(alone.examplesPerSecond());
        double inMemoryPerThousand = 1000 * inMemoryBusyCores / inMemoryRate;
        rows.add(BenchRow.measured("kafka_cpu_per_1000_examples", perThousand, "CPU s",
                String.format(java.util.Locale.ROOT, "in-memory learner %.3f CPU s (%.2f cores busy); Kafka path %.2f cores"
                        + " busy: %s", inMemoryPerThousand, inMemoryBusyCores, cpu.busyCores(), cpu.describe())));
        for (var group : cpu.seconds().entrySet()) {
            if (group.getKey().equals(CpuAccount.REPLAY)) {
                continue; // not running in this run
            }
            rows.add(BenchRow.measured("kafka_cpu_share_" + group.getKey().replaceAll("[^a-zA-Z]+", "_").toLowerCase(
                    java.util.Locale.ROOT), 100 * group.getValue() / cpu.total(), "% of CPU",
                    "share of the Kafka path's CPU time while it learned, spent by the " + group.getKey()));
        }
        rows.add(BenchRow.measured("kafka_learning_rate_cold", alone.coldExamplesPerSecond(), "examples/s",
                "the warm-up's own rate: a fresh JVM, the JIT compiling the broker's, the clients' and the"
                        + " topology's code"));
        rows.add(BenchRow.atLeast("kafka_vs_in_memory_learning", 100 * alone.examplesPerSecond() / inMemoryRate,
                "% of in-memory", 80, "the Kafka rate over the in-memory learner's rate in this run"));
        // What the ratio could be on these cores at best: every core busy all the time, each example costing
        // the in-memory learner's CPU plus what the path costs with a learner that does nothing (the JIT's
        // compiler threads left out: they fade in a long run). The broker runs on the same cores here.
        CpuAccount.Spent bareCpu = bare.learningCpu();
        double ownPerThousand = bareCpu.perThousandExamples(bare.examplesPerSecond(), CpuAccount.JIT);
        rows.add(BenchRow.measured("kafka_path_own_cpu_per_1000_examples", ownPerThousand, "CPU s",
                String.format(java.util.Locale.ROOT, "the Kafka path with a learner that does nothing (16 dense features),"
                        + " JIT compiler threads left out: %,.0f examples/s, %.2f cores busy: %s",
                        bare.examplesPerSecond(), bareCpu.busyCores(), bareCpu.describe())));
        int cores = Runtime.getRuntime().availableProcessors();
        double bound = 1000 * cores / (inMemoryPerThousand + ownPerThousand);
        rows.add(BenchRow.measured("kafka_vs_in_memory_bound", 100 * bound / inMemoryRate, "% of in-memory",
                String.format(java.util.Locale.ROOT, "the most the Kafka path could reach on these %d cores with the broker"
                        + " on them: %,.0f examples/s if every core were busy all the time at %.3f + %.3f CPU s per 1,000"
                        + " examples (the in-memory learner's and the path's own)", cores, bound, inMemoryPerThousand,
                        ownPerThousand)));
        rows.add(BenchRow.measured("subject_erasure_p50", PerformanceBench.percentile(alone.subjectErasureMs(), 50), "ms",
                String.format(java.util.Locale.ROOT, "request produced to receipt consumed, one at a time, over %d;"
                        + " %.1f examples each (60 per subject, less the class erased first)",
                        alone.subjectErasureMs().length, alone.examplesPerSubject())));
        rows.add(BenchRow.atMost("subject_erasure_p99", PerformanceBench.percentile(alone.subjectErasureMs(), 99), "ms", 100,
                "request produced to receipt consumed, one at a time, over " + alone.subjectErasureMs().length
                        + " after " + KafkaPath.WARM_UP_ERASURES + " warm-up requests"));
        rows.add(BenchRow.measured("subject_erasure_warm_up_slowest", alone.warmUpSlowestMs(), "ms",
                "the slowest of the " + KafkaPath.WARM_UP_ERASURES + " warm-up requests before them (the first"
                        + " re-inverts R, which the class erasure left to the next refresh; the JIT compiles the"
                        + " erasure path), not counted above"));
        rows.add(BenchRow.atMost("class_erasure", alone.classErasureMs(), "ms", 1000,
                String.format("class %d (%,d examples), the run's first erasure (every example of the class retained),"
                        + " request produced to receipt consumed", KafkaPath.TIMED_CLASS, alone.classExamples())));
        rows.add(BenchRow.atMost("exactness_residual", alone.residual(), "relative", 1e-9,
                "largest normal-equation residual any receipt of the run reported"));
        rows.add(BenchRow.measured("kafka_learning_rate_with_replay_model", withReplay.examplesPerSecond(), "examples/s",
                String.format(java.util.Locale.ROOT, "the analytic model's rate while the replay network's application"
                        + " learns the same stream; %.2f cores busy: %s", withReplay.learningCpu().busyCores(),
                        withReplay.learningCpu().describe())));
        rows.add(BenchRow.atMost("replay_model_cost", 100 * (1 - withReplay.examplesPerSecond() / alone.examplesPerSecond()),
                "% of throughput", 25, "1 - analytic rate with the replay network beside it / analytic rate alone"));
    }

    private void print() {
        out.printf("%n%-38s %14s  %-16s %10s  %s%n", "result", "value", "unit", "target", "met");
        for (BenchRow r : rows) {
            String target = r.target() == null ? "" : (r.targetKind().equals("at_least") ? ">= " : "<= ") + format(r.target());
            String met = r.met() == null ? "" : r.met() ? "yes" : "NO";
            out.printf("%-38s %14s  %-16s %10s  %s%n", r.name(), format(r.value()), r.unit(), target, met);
        }
    }

    private static String format(double v) {
        if (v != 0 && Math.abs(v) < 0.01) {
            return String.format("%.1e", v);
        }
        return Math.abs(v) >= 100 ? String.format("%,.0f", v) : String.format("%.2f", v);
    }

    private void write(List<GemmCeiling> ceilings) throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("machine", Map.of("processors", Runtime.getRuntime().availableProcessors(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "java", System.getProperty("java.version"), "max_heap_gib", Runtime.getRuntime().maxMemory() / (1L << 30)));
        doc.put("results", rows);
        doc.putAll(tables);
        Path output = options.output().toAbsolutePath();
        Files.createDirectories(output.getParent());
        CheckpointStore.writeAtomically(output, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        out.println("written to " + options.output());
    }

    /** The indices 0..n-1 of a dataset, in chunks, as batches. */
    static List<LabeledBatch> batches(ImageDataset data, int from, int to, int size) {
        List<LabeledBatch> out = new ArrayList<>();
        for (int start = from; start < to; start += size) {
            out.add(data.batch(IntStream.range(start, Math.min(to, start + size)).toArray()));
        }
        return out;
    }

    /** Percentile by nearest rank of an unsorted array. */
    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}
