package io.lethe.learning.experiment;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.unlearning.GroupSparseLora;
import io.lethe.learning.unlearning.SfrOn;
import io.lethe.learning.unlearning.UnlearningMethod;
import io.lethe.learning.unlearning.UnlearningMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Continual forgetting (GS-LoRA's setting), a scenario of the {@link UnlearningBenchmark}: the
 * trained network receives one class forgetting request after another; GS-LoRA and SFR-on each serve
 * the whole sequence on their own copy of the network, and after each request every model is
 * measured on everything forgotten so far (class columns: test accuracy on the forgotten classes
 * together, and on the rest), beside the retrain oracle on what remains.
 */
final class ContinualForgetting {

    /** The scenario prefix: a sequence of class requests, e.g. sequence-3+5+8. */
    static final String PREFIX = "sequence-";

    private final UnlearningBenchmark bench;

    ContinualForgetting(UnlearningBenchmark bench) {
        this.bench = bench;
    }

    List<UnlearningBenchmark.Row> run(String scenario, NetworkLearner original) {
        ImageDataset train = bench.trainingSet();
        int[] classes = Arrays.stream(scenario.substring(PREFIX.length()).split("\\+")).mapToInt(Integer::parseInt).toArray();
        List<UnlearningMethod> methods = List.of(GroupSparseLora.defaults(), SfrOn.defaults());
        List<NetworkLearner> models = new ArrayList<>();
        methods.forEach(m -> models.add(UnlearningBenchmark.copy(original)));
        Set<Integer> gone = new HashSet<>();
        LabeledBatch testBatch = bench.testSet().batch(IntStream.range(0, bench.testSet().size()).toArray());
        List<UnlearningBenchmark.Row> rows = new ArrayList<>();
        for (int k = 0; k < classes.length; k++) {
            int requested = classes[k];
            gone.add(requested);
            int[] forget = IntStream.range(0, train.size()).filter(i -> gone.contains(train.labels()[i])).toArray();
            int[] retained = IntStream.range(0, train.size()).filter(i -> !gone.contains(train.labels()[i])).toArray();
            int[] forgottenClasses = gone.stream().mapToInt(Integer::intValue).sorted().toArray();
            String step = String.format(Locale.ROOT, "%s #%d (class %d)", scenario, k + 1, requested);
            LabeledBatch forgetBatch = train.batch(forget);
            LabeledBatch retainedEval = bench.retainedEval(retained);
            bench.prepareAttacks(forget, forgetBatch, retained);
            bench.progress().accept(String.format(Locale.ROOT, "%s: forgetting class %d; %,d examples forgotten so far,"
                    + " %,d retained", step, requested, forget.length, retained.length));
            long started = System.nanoTime();
            NetworkLearner oracle = bench.train(retained);
            double oracleSeconds = (System.nanoTime() - started) / 1e9;
            rows.add(bench.row(step, "retrain-oracle", oracle, UnlearningMetrics.measure(oracle, forgetBatch, retainedEval,
                    testBatch), oracleSeconds, forgottenClasses, Double.NaN, forget.length));
            bench.progress().accept(UnlearningBenchmark.describe(rows.get(rows.size() - 1), oracleSeconds));
            LabeledBatch request = train.batch(train.indicesOfClasses(requested));
            for (int m = 0; m < methods.size(); m++) {
                NetworkLearner model = models.get(m);
                long t = System.nanoTime();
                model.unlearn(request, methods.get(m), bench.remainSampler(retained), bench.settings().seed() + k);
                double seconds = (System.nanoTime() - t) / 1e9;
                rows.add(bench.row(step, methods.get(m).name(), model, UnlearningMetrics.measure(model, forgetBatch,
                        retainedEval, testBatch), seconds, forgottenClasses, Double.NaN, request.size()));
                bench.progress().accept(UnlearningBenchmark.describe(rows.get(rows.size() - 1), oracleSeconds));
            }
        }
        return rows;
    }
}
