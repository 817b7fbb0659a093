package io.lethe.learning.experiment;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.GuardedUnlearning;
import io.lethe.learning.gradient.UnlearningGuard;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.unlearning.UnlearningMethod;
import io.lethe.learning.unlearning.UnlearningMetrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The unlearning comparison: an MLP trained on the training set; for each forgetting scenario
 * (a random share of the examples, or one whole class) the retrain oracle (a fresh model, same seed
 * and settings, trained on the retained examples only) and each approximate method applied to a
 * copy of the trained model; all measured with {@link UnlearningMetrics} and timed.
 */
public final class UnlearningBenchmark {

    /**
     * @param epochs passes over the data for the original model and the oracle
     * @param retainedEvalSize retained examples used for RA and as the attack's members
     * @param sisaShards K of the SISA row (0: no SISA row)
     */
    public record Settings(int epochs, int batchSize, double learningRate, int hidden, long seed, int retainedEvalSize,
                           int sisaShards) {
    }

    /**
     * One row of the table.
     *
     * @param forgetClassTest test accuracy on the forgotten class (class scenarios; NaN otherwise)
     * @param otherClassesTest test accuracy on the other classes (class scenarios; NaN otherwise)
     * @param gap average absolute gap to the oracle over UA, RA, TA, MIA (NaN for the oracle itself)
     * @param miaLoss share of the forget set a loss-threshold attack (fitted on shadow data) calls non-member
     * @param miaLossPerClass the same with one threshold per class
     * @param uaAfterRelearning UA after a relearning attack: {@link ForgetSetAttacks#RELEARN_STEPS} SGD steps on 1 % of the
     *     forget set (NaN for the SISA ensemble)
     * @param uaAfterWeakRelearning UA after a weaker relearning attack: {@link ForgetSetAttacks#WEAK_RELEARN_STEPS} plain SGD
     *     steps at lr {@link ForgetSetAttacks#WEAK_RELEARN_RATE} on the same 1 % (NaN for the SISA ensemble)
     * @param recovery corruption scenarios: the share (percent) of the damage to the damaged class's test
     *     accuracy that unlearning undid, 100 (acc - corrupted) / (clean - corrupted), the clean model being
     *     the retrain oracle (NaN in other scenarios)
     */
    public record Row(String scenario, String method, UnlearningMetrics metrics, double seconds,
                      double forgetClassTest, double otherClassesTest, double gap, int forgotten, double miaLoss,
                      double miaLossPerClass, double uaAfterRelearning, double uaAfterWeakRelearning, double recovery) {
    }

    private final ImageDataset train;
    private final ImageDataset test;
    /** Corruption scenarios: examples from this index on are the corrupting ones (-1: none). */
    private int corruptingFrom = -1;
    private final List<CorruptionScenario.ExactRecovery> exactRecoveries = new ArrayList<>();
    /** The attacks on the current forget set (set per scenario, or per request of a sequence). */
    private ForgetSetAttacks attacks;

    private final Settings settings;
    private final Consumer<String> progress;

    ImageDataset trainingSet() {
        return train;
    }

    ImageDataset testSet() {
        return test;
    }

    Settings settings() {
        return settings;
    }

    Consumer<String> progress() {
        return progress;
    }

    public UnlearningBenchmark(ImageDataset train, ImageDataset test, Settings settings, Consumer<String> progress) {
        this.train = train;
        this.test = test;
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * Scenario names: random-P (P percent of the training examples), class-C, or corrupt-C (RESTOR:
     * the training set plus every image of class C mislabelled, which is then unlearned), or
     * sequence-A+B+... (class requests one after another: {@link ContinualForgetting}).
     */
    public List<Row> run(List<String> scenarios, List<UnlearningMethod> methods) {
        long t0 = System.nanoTime();
        NetworkLearner original = train(IntStream.range(0, train.size()).toArray());
        progress.accept(String.format(Locale.ROOT, "original model: %,d examples x %d epochs in %.1f s, test accuracy %.2f%%",
                train.size(), settings.epochs(), (System.nanoTime() - t0) / 1e9,
                io.lethe.learning.metrics.Accuracy.percent(original, test.batch(IntStream.range(0, test.size()).toArray()))));
        SisaEnsemble sisa = null;
        if (settings.sisaShards() > 0) {
            t0 = System.nanoTime();
            sisa = new SisaEnsemble(settings.sisaShards(), train.size(), settings.seed(), this::train);
            progress.accept(String.format(Locale.ROOT, "SISA: %d shards trained in %.1f s (once; each erasure retrains only"
                    + " the shards that held erased examples)", settings.sisaShards(), (System.nanoTime() - t0) / 1e9));
        }
        List<Row> rows = new ArrayList<>();
        for (String scenario : scenarios) {
            rows.addAll(scenario.startsWith(CorruptionScenario.PREFIX) ? corruption(scenario, methods)
                    : scenario.startsWith(ContinualForgetting.PREFIX) ? new ContinualForgetting(this).run(scenario, original)
                    : scenario(scenario, original, methods, sisa));
        }
        return rows;
    }

    /** The analytic learner's exact recoveries, one per corruption scenario run. */
    public List<CorruptionScenario.ExactRecovery> exactRecoveries() {
        return List.copyOf(exactRecoveries);
    }

    /**
     * RESTOR (knowledge recovery): the training set plus a corrupting set, every training image of
     * class C twice more labelled {@link CorruptionScenario#corruptLabel}; the "original" model learns both, and the
     * corrupting set is what each method unlearns. The retrain oracle learns the clean training set
     * alone (same order, same seed), so it is the clean model, and recovery asks how much of the
     * clean model's accuracy on class C each method brings back, beyond forgetting the wrong labels.
     */
    private List<Row> corruption(String scenario, List<UnlearningMethod> methods) {
        int damaged = Integer.parseInt(scenario.substring(CorruptionScenario.PREFIX.length()));
        if (damaged < 0 || damaged > 9) {
            throw new IllegalArgumentException("corrupt-C needs an MNIST class 0-9, got " + scenario);
        }
        ImageDataset corrupted = CorruptionScenario.corrupted(train, damaged);
        UnlearningBenchmark inner = new UnlearningBenchmark(corrupted, test, settings, progress);
        inner.corruptingFrom = train.size();
        long t0 = System.nanoTime();
        NetworkLearner original = inner.train(IntStream.range(0, corrupted.size()).toArray());
        progress.accept(String.format(Locale.ROOT, "%s: corrupted model (%,d clean + %,d images of %d labelled %d) in %.1f s,"
                + " test accuracy on class %d %.2f%%", scenario, train.size(), corrupted.size() - train.size(), damaged,
                CorruptionScenario.corruptLabel(damaged), (System.nanoTime() - t0) / 1e9, damaged,
                io.lethe.learning.metrics.Accuracy.percent(original, test.batch(test.indicesOfClasses(damaged)))));
        SisaEnsemble sisa = settings.sisaShards() > 0
                ? new SisaEnsemble(settings.sisaShards(), corrupted.size(), settings.seed(), inner::train) : null;
        List<Row> rows = inner.scenario(scenario, original, methods, sisa);
        exactRecoveries.add(CorruptionScenario.exactRecovery(scenario, corrupted, train.size(), test, damaged, settings.seed(), progress));
        return rows;
    }

    private List<Row> scenario(String scenario, NetworkLearner original, List<UnlearningMethod> methods, SisaEnsemble sisa) {
        boolean[] forgetMask = forgetMask(scenario);
        int[] forget = IntStream.range(0, train.size()).filter(i -> forgetMask[i]).toArray();
        int[] retained = IntStream.range(0, train.size()).filter(i -> !forgetMask[i]).toArray();
        int forgottenClass = scenario.startsWith("class-") ? Integer.parseInt(scenario.substring(6))
                : scenario.startsWith(CorruptionScenario.PREFIX) ? Integer.parseInt(scenario.substring(CorruptionScenario.PREFIX.length())) : -1;
        LabeledBatch forgetBatch = train.batch(forget);
        LabeledBatch retainedEval = retainedEval(retained);
        LabeledBatch testBatch = test.batch(IntStream.range(0, test.size()).toArray());
        prepareAttacks(forget, forgetBatch, retained);
        UnlearningMethod.RemainSampler remain = remainSampler(retained);
        progress.accept(String.format(Locale.ROOT, "%s: forgetting %,d examples, %,d retained", scenario, forget.length,
                retained.length));

        List<Row> rows = new ArrayList<>();
        long started = System.nanoTime();
        NetworkLearner oracle = train(retained);
        double oracleSeconds = (System.nanoTime() - started) / 1e9;
        UnlearningMetrics oracleMetrics = UnlearningMetrics.measure(oracle, forgetBatch, retainedEval, testBatch);
        rows.add(row(scenario, "retrain-oracle", oracle, oracleMetrics, oracleSeconds, forgottenClass, Double.NaN,
                forget.length));
        progress.accept(describe(rows.get(rows.size() - 1), oracleSeconds));
        rows.add(row(scenario, "original (no unlearning)", original,
                UnlearningMetrics.measure(original, forgetBatch, retainedEval, testBatch), 0, forgottenClass,
                Double.NaN, 0));
        progress.accept(describe(rows.get(rows.size() - 1), oracleSeconds));
        for (UnlearningMethod method : methods) {
            NetworkLearner copy = copy(original);
            long t = System.nanoTime();
            copy.unlearn(forgetBatch, method, remain, settings.seed());
            double seconds = (System.nanoTime() - t) / 1e9;
            rows.add(row(scenario, method.name(), copy, UnlearningMetrics.measure(copy, forgetBatch, retainedEval, testBatch),
                    seconds, forgottenClass, Double.NaN, forget.length));
            progress.accept(describe(rows.get(rows.size() - 1), oracleSeconds));
            rows.add(guarded(scenario, method, original, copy, seconds, oracle, oracleMetrics, oracleSeconds, forgetBatch,
                    forgottenClass, forget.length, retained.length, rows.get(rows.size() - 1)));
            progress.accept(describe(rows.get(rows.size() - 1), oracleSeconds));
        }
        if (sisa != null) {
            SisaEnsemble.Forgotten after = sisa.forget(forgetMask);
            UnlearningMetrics m = UnlearningMetrics.measure(after::probabilities, original.maxClasses(), forgetBatch,
                    retainedEval, testBatch);
            double forgetClassTest = Double.NaN;
            double otherTest = Double.NaN;
            if (forgottenClass >= 0) {
                forgetClassTest = after.accuracy(test.batch(test.indicesOfClasses(forgottenClass)));
                otherTest = after.accuracy(test.batch(IntStream.range(0, test.size())
                        .filter(i -> test.labels()[i] != forgottenClass).toArray()));
            }
            double[] loss = attacks.loss(after::probabilities, original.maxClasses());
            rows.add(new Row(scenario, String.format(Locale.ROOT, "sisa K=%d (%d retrained)", after.shards().length,
                    after.retrained()), m, after.seconds(), forgetClassTest, otherTest, Double.NaN, forget.length, loss[0],
                    loss[1], Double.NaN, Double.NaN, Double.NaN));
            progress.accept(describe(rows.get(rows.size() - 1), oracleSeconds));
        }
        // Gaps to the oracle, now that it is known; in a corruption scenario the oracle is the clean
        // model and the original the corrupted one, which recovery is measured between.
        double clean = rows.get(0).forgetClassTest();
        double corrupted = rows.get(1).forgetClassTest();
        List<Row> withGaps = new ArrayList<>();
        for (Row r : rows) {
            withGaps.add(new Row(r.scenario(), r.method(), r.metrics(), r.seconds(), r.forgetClassTest(),
                    r.otherClassesTest(), r.method().equals("retrain-oracle") ? Double.NaN
                    : r.metrics().averageGap(oracleMetrics), r.forgotten(), r.miaLoss(), r.miaLossPerClass(),
                    r.uaAfterRelearning(), r.uaAfterWeakRelearning(), scenario.startsWith(CorruptionScenario.PREFIX)
                            ? CorruptionScenario.recovery(r.forgetClassTest(), corrupted, clean) : Double.NaN));
        }
        return withGaps;
    }

    LabeledBatch retainedEval(int[] retained) {
        return train.batch(sample(retained, settings.retainedEvalSize(), new SplittableRandom(settings.seed() ^ 0xE7A1L)));
    }

    /**
     * The attacks' data for a forget set: shadow data for the loss attack, held out from what it
     * judges (retained examples drawn apart from the RA sample, and the even-numbered test images),
     * and the relearning attack's 1 % of the forget set.
     */
    void prepareAttacks(int[] forget, LabeledBatch forgetBatch, int[] retained) {
        attacks = new ForgetSetAttacks(train.batch(sample(retained, 5_000, new SplittableRandom(settings.seed() ^ 0x5AD0L))),
                test.batch(IntStream.range(0, test.size()).filter(i -> i % 2 == 0).toArray()), forgetBatch,
                train.batch(sample(forget, Math.max(10, forget.length / 100), new SplittableRandom(settings.seed() ^ 0xBAC4L))));
    }

    UnlearningMethod.RemainSampler remainSampler(int[] retained) {
        return new UnlearningMethod.RemainSampler() {
            @Override
            public LabeledBatch sample(int n, SplittableRandom r) {
                return train.batch(UnlearningBenchmark.sample(retained, n, r));
            }

            @Override
            public long size() {
                return retained.length;
            }
        };
    }

    /**
     * The stream's guarded policy around the same run ({@link GuardedUnlearning}'s defaults): an
     * erasure over 5 % of the data retrains at once; otherwise the run is judged on the test images of
     * the retained classes (utility) and on the forget set, and a refused run is replaced by the
     * retrained model, paying both runs' time.
     */
    private Row guarded(String scenario, UnlearningMethod method, NetworkLearner original, NetworkLearner unlearned,
                        double seconds, NetworkLearner oracle, UnlearningMetrics oracleMetrics, double oracleSeconds,
                        LabeledBatch forgetBatch, int forgottenClass, int forgotten, int retained, Row approximate) {
        String name = "guarded " + method.name();
        if (forgotten > EXACT_FRACTION * (forgotten + retained)) {
            return row(scenario, name + " (size: retrain)", oracle, oracleMetrics, oracleSeconds, forgottenClass, Double.NaN,
                    forgotten);
        }
        int[] kept = IntStream.range(0, test.size()).filter(i -> test.labels()[i] != forgottenClass).toArray();
        LabeledBatch utility = test.batch(kept);
        double forgetAccuracy = io.lethe.learning.metrics.Accuracy.percent(unlearned, forgetBatch);
        UnlearningGuard.Measured measured = new UnlearningGuard.Measured(
                io.lethe.learning.metrics.Accuracy.percent(original, utility),
                io.lethe.learning.metrics.Accuracy.percent(unlearned, utility),
                forgottenClass >= 0 ? forgetAccuracy : Double.NaN, forgottenClass >= 0 ? Double.NaN : forgetAccuracy,
                forgottenClass >= 0 ? Double.NaN : io.lethe.learning.metrics.Accuracy.percent(unlearned, utility));
        if (GUARD.judge(measured).accepted()) {
            return new Row(scenario, name + " (accepted)", approximate.metrics(), seconds, approximate.forgetClassTest(),
                    approximate.otherClassesTest(), Double.NaN, forgotten, approximate.miaLoss(), approximate.miaLossPerClass(),
                    approximate.uaAfterRelearning(), approximate.uaAfterWeakRelearning(), Double.NaN);
        }
        return row(scenario, name + " (refused: retrain)", oracle, oracleMetrics, seconds + oracleSeconds, forgottenClass,
                Double.NaN, forgotten);
    }

    private static final UnlearningGuard GUARD = new UnlearningGuard(2, 5, 5);
    private static final double EXACT_FRACTION = 0.05;

    static String describe(Row r, double oracleSeconds) {
        return String.format(Locale.ROOT, "  %-26s UA %6.2f  RA %6.2f  TA %6.2f  MIA %6.2f  %.2f s (%.1f%% of the oracle)",
                r.method(), r.metrics().ua(), r.metrics().ra(), r.metrics().ta(), r.metrics().mia(), r.seconds(),
                100 * r.seconds() / oracleSeconds);
    }

    private Row row(String scenario, String method, NetworkLearner model, UnlearningMetrics metrics, double seconds,
                    int forgottenClass, double gap, int forgotten) {
        return row(scenario, method, model, metrics, seconds, forgottenClass >= 0 ? new int[] {forgottenClass} : new int[0],
                gap, forgotten);
    }

    /** A row; the class columns are test accuracy on the forgotten classes together and on the others. */
    Row row(String scenario, String method, NetworkLearner model, UnlearningMetrics metrics, double seconds,
                    int[] forgottenClasses, double gap, int forgotten) {
        double forgetClassTest = Double.NaN;
        double otherTest = Double.NaN;
        if (forgottenClasses.length > 0) {
            forgetClassTest = io.lethe.learning.metrics.Accuracy.percent(model, test.batch(test.indicesOfClasses(forgottenClasses)));
            java.util.Set<Integer> gone = java.util.Arrays.stream(forgottenClasses).boxed().collect(java.util.stream.Collectors.toSet());
            int[] others = IntStream.range(0, test.size()).filter(i -> !gone.contains(test.labels()[i])).toArray();
            otherTest = io.lethe.learning.metrics.Accuracy.percent(model, test.batch(others));
        }
        double[] loss = attacks.loss(inputs -> model.network().output(inputs.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
                false), model.maxClasses());
        return new Row(scenario, method, metrics, seconds, forgetClassTest, otherTest, gap, forgotten, loss[0], loss[1],
                attacks.relearning(model), attacks.weakRelearning(model), Double.NaN);
    }

    private boolean[] forgetMask(String scenario) {
        boolean[] mask = new boolean[train.size()];
        if (scenario.startsWith("random-")) {
            double share = Double.parseDouble(scenario.substring(7)) / 100;
            if (!(share > 0 && share < 1)) {
                throw new IllegalArgumentException("random-P needs 0 < P < 100, got " + scenario);
            }
            SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x5EEDL);
            int[] chosen = sample(IntStream.range(0, train.size()).toArray(), (int) Math.round(share * train.size()), random);
            for (int i : chosen) {
                mask[i] = true;
            }
        } else if (scenario.startsWith("class-")) {
            int c = Integer.parseInt(scenario.substring(6));
            for (int i = 0; i < mask.length; i++) {
                mask[i] = train.labels()[i] == c;
            }
        } else if (scenario.startsWith(CorruptionScenario.PREFIX) && corruptingFrom >= 0) {
            for (int i = corruptingFrom; i < mask.length; i++) {
                mask[i] = true;
            }
        } else {
            throw new IllegalArgumentException("unknown forgetting scenario '" + scenario
                    + "' (expected random-P, class-C or corrupt-C)");
        }
        return mask;
    }

    /** A model trained from scratch (seeded) on the given training examples. */
    public NetworkLearner train(int[] indices) {
        NetworkLearner model = new NetworkLearner(train.pixels()[0].length, settings.hidden(), 10, settings.learningRate(), 1,
                settings.seed());
        SplittableRandom random = new SplittableRandom(settings.seed());
        int[] order = indices.clone();
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            Scenarios.shuffleInPlace(order, random);
            for (int from = 0; from < order.length; from += settings.batchSize()) {
                model.learn(train.batch(Arrays.copyOfRange(order, from, Math.min(order.length, from + settings.batchSize()))));
            }
        }
        return model;
    }

    static NetworkLearner copy(NetworkLearner model) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            model.writeState(new DataOutputStream(bytes));
            NetworkLearner out = new NetworkLearner(model.network().layerInputSize(0), model.network().layerSize(0),
                    model.maxClasses(), 0.05, 1, 0);
            out.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} distinct values drawn at random (all, shuffled, if there are fewer). */
    static int[] sample(int[] values, int n, SplittableRandom random) {
        if (n >= values.length) {
            int[] all = values.clone();
            Scenarios.shuffleInPlace(all, random);
            return all;
        }
        // Rejection sampling of distinct positions: cheap when n is far below the population.
        java.util.Set<Integer> chosen = new java.util.LinkedHashSet<>();
        while (chosen.size() < n) {
            chosen.add(random.nextInt(values.length));
        }
        return chosen.stream().mapToInt(i -> values[i]).toArray();
    }
}
