package io.lethe.tools.bench;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.analytic.AnalyticRidgeLearner;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The analytic learner's stages without Kafka, each timed on its own, on real MNIST. */
final class InMemoryStages {

    /** Rates per second and erasure times in milliseconds. */
    record Result(double featurisePerSecond, double statisticsPerSecond, double learnPerSecond, double learnBusyCores,
                  double reinversionMs, double subjectErasureP50Ms,
                  int subjectErasures, double classErasureMs, int classErasureExamples) {
    }

    private InMemoryStages() {
    }

    private static final int WARM_UP_IMAGES = 50_000;

    private static final int TIMED_PASSES = 3;

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static Result measure(FeatureMapSpec spec, ImageDataset train, int examples, int batchSize, PrintStream out) {
        List<LabeledBatch> batches = PerformanceBench.batches(train, 0, examples, batchSize);
        // Warm-up: native buffers, BLAS threads, and the JIT, which reaches its final code for the
        // im2col and pooling loops only after some 30,000 images (the rate climbs from a quarter of
        // its steady value until then); a stream runs for hours, so the steady rate is the one reported.
        AnalyticRidgeLearner warm = new AnalyticRidgeLearner(spec, 1.0);
        for (int images = 0; images < WARM_UP_IMAGES; ) {
            for (LabeledBatch batch : batches) {
                warm.features(batch.inputs());
                images += batch.size();
            }
        }
        for (int i = 0; i < Math.min(batches.size(), 16); i++) {
            warm.learn(batches.get(i));
        }
        warm.unlearn(batches.get(0));

        // Featurisation and the statistics update, timed apart on the same batches, in three passes
        // (a fresh learner each); the median pass is reported, so one noisy second on this shared
        // machine does not decide the ratio.
        double[] featuriseRates = new double[TIMED_PASSES];
        double[] statisticsRates = new double[TIMED_PASSES];
        for (int pass = 0; pass < TIMED_PASSES; pass++) {
            AnalyticRidgeLearner staged = new AnalyticRidgeLearner(spec, 1.0);
            long featureNanos = 0;
            long statsNanos = 0;
            for (LabeledBatch batch : batches) {
                long t0 = System.nanoTime();
                INDArray features = staged.features(batch.inputs());
                long t1 = System.nanoTime();
                staged.learnFeatures(features, batch.labels());
                statsNanos += System.nanoTime() - t1;
                featureNanos += t1 - t0;
            }
            featuriseRates[pass] = examples / (featureNanos / 1e9);
            statisticsRates[pass] = examples / (statsNanos / 1e9);
        }
        double featurise = median(featuriseRates);
        double statistics = median(statisticsRates);
        out.printf("  featurise %,.0f images/s; statistics update %,.0f examples/s (median of %d passes)%n", featurise, statistics,
                TIMED_PASSES);

        // Learning as the stream runs it: learn each batch, then solve the head once for the version.
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(spec, 1.0);
        long started = System.nanoTime();
        CpuAccount cpu = CpuAccount.start();
        for (LabeledBatch batch : batches) {
            learner.learn(batch);
        }
        learner.refreshHead();
        double learn = examples / ((System.nanoTime() - started) / 1e9);
        double busy = cpu.stop().busyCores();
        out.printf("  learn %,.0f examples/s (features, statistics, one head solve), %.2f cores busy%n", learn, busy);

        long inverted = System.nanoTime();
        learner.refresh(); // everything learned is pending for R: one re-inversion
        double reinversionMs = (System.nanoTime() - inverted) / 1e6;
        double[] subject = new double[15];
        for (int r = 0; r < subject.length; r++) {
            LabeledBatch group = train.batch(IntStream.range(r * 60, r * 60 + 60).toArray());
            long t = System.nanoTime();
            learner.unlearn(group);
            learner.refreshHead();
            subject[r] = (System.nanoTime() - t) / 1e6;
            learner.learn(group);
            learner.refresh();
        }
        int[] ofClass = Arrays.stream(train.indicesOfClasses(3)).filter(i -> i < examples).toArray();
        LabeledBatch classBatch = train.batch(ofClass);
        long t = System.nanoTime();
        learner.unlearn(classBatch);
        learner.refreshHead();
        double classMs = (System.nanoTime() - t) / 1e6;
        double p50 = PerformanceBench.percentile(subject, 50);
        out.printf("  unlearn one subject (60 examples) %.1f ms median; one class (%,d examples) %.0f ms%n", p50,
                ofClass.length, classMs);
        return new Result(featurise, statistics, learn, busy, reinversionMs, p50, subject.length, classMs, ofClass.length);
    }
}
