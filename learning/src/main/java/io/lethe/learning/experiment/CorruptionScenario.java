package io.lethe.learning.experiment;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.data.ImageDataset;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The knowledge-recovery scenario after RESTOR ("Knowledge Recovery in Machine Unlearning"): the
 * training set plus a corrupting set (every image of class C again, mislabelled), the corrupting set
 * then unlearned; and recovery, how much of the clean model's accuracy on class C comes back. Here
 * the data, the measure and the analytic learner's exact recovery; the network methods run through
 * {@link UnlearningBenchmark}.
 */
public final class CorruptionScenario {

    /** The scenario prefix of RESTOR-style corruption: every training image of class C twice more, mislabelled. */
    public static final String PREFIX = "corrupt-";

    /**
     * The analytic learner in a corruption scenario: learned the corrupted data, unlearned the
     * corrupting examples; compared with a learner that only ever learned the clean data.
     *
     * @param distanceToCleanSolve relative Frobenius distance of the unlearned head to the clean one
     * @param cleanDamagedTest test accuracy on the damaged class: clean, corrupted, after unlearning
     * @param recovery 100 (unlearned - corrupted) / (clean - corrupted) on that class
     * @param relearnedDamagedTest the relearning attack on the exact learner: the damaged class's test
     *     accuracy after it learns 1 % of the corrupting set again
     * @param relearnedDistanceToClean its head then against the clean learner's after learning the same 1 %:
     *     an exact unlearning hides nothing, so the attack brings back exactly what it would teach a
     *     model that never saw the corrupting set
     */
    public record ExactRecovery(String scenario, int corrupting, double distanceToCleanSolve, double cleanDamagedTest,
                                double corruptedDamagedTest, double unlearnedDamagedTest, double recovery,
                                double unlearnSeconds, double relearnedDamagedTest, double relearnedDistanceToClean) {
    }

    /** The wrong label every corrupting copy of class {@code c} carries. */
    public static int corruptLabel(int c) {
        return (c + 5) % 10;
    }

    /** Mislabelled copies of each image of the damaged class: outnumbering the clean ones, they win. */
    static final int CORRUPT_COPIES = 2;

    static ImageDataset corrupted(ImageDataset clean, int damaged) {
        int[] images = clean.indicesOfClasses(damaged);
        int extra = CORRUPT_COPIES * images.length;
        byte[][] pixels = java.util.Arrays.copyOf(clean.pixels(), clean.size() + extra);
        int[] labels = java.util.Arrays.copyOf(clean.labels(), clean.size() + extra);
        for (int i = 0; i < extra; i++) {
            pixels[clean.size() + i] = clean.pixels()[images[i % images.length]];
            labels[clean.size() + i] = corruptLabel(damaged);
        }
        return new ImageDataset(pixels, labels, clean.side());
    }

    /**
     * The analytic learner (the stream's conv map) through the same corruption: it learns everything,
     * unlearns the corrupting examples, and is compared with one that learned the clean data only.
     */
    public static ExactRecovery exactRecovery(String scenario, ImageDataset train, int corruptingFrom, ImageDataset test,
                                       int damaged, long seed, Consumer<String> progress) {
        io.lethe.learning.feature.FeatureMapSpec spec = io.lethe.learning.feature.FeatureMapSpec.mnistConv(seed);
        io.lethe.learning.analytic.AnalyticRidgeLearner clean = new io.lethe.learning.analytic.AnalyticRidgeLearner(spec, 1.0);
        io.lethe.learning.analytic.AnalyticRidgeLearner learner = new io.lethe.learning.analytic.AnalyticRidgeLearner(spec, 1.0);
        LabeledBatch damagedTest = test.batch(test.indicesOfClasses(damaged));
        // Both learn the clean rows from the same features (computed once); only one learns the corrupting ones.
        for (int from = 0; from < train.size(); from += 2_000) {
            int to = Math.min(train.size(), from + 2_000);
            LabeledBatch batch = train.batch(IntStream.range(from, to).toArray());
            org.nd4j.linalg.api.ndarray.INDArray features = learner.features(batch.inputs());
            learner.learnFeatures(features, batch.labels());
            int cleanRows = Math.max(0, Math.min(to, corruptingFrom) - from);
            if (cleanRows == batch.size()) {
                clean.learnFeatures(features, batch.labels());
            } else if (cleanRows > 0) {
                clean.learnFeatures(features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, cleanRows),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(), java.util.Arrays.copyOf(batch.labels(), cleanRows));
            }
        }
        double cleanAccuracy = io.lethe.learning.metrics.Accuracy.percent(clean.model(), damagedTest);
        double corruptedAccuracy = io.lethe.learning.metrics.Accuracy.percent(learner.model(), damagedTest);
        LabeledBatch corrupting = train.batch(IntStream.range(corruptingFrom, train.size()).toArray());
        long t = System.nanoTime();
        learner.unlearn(corrupting);
        learner.refreshHead();
        double seconds = (System.nanoTime() - t) / 1e9;
        double unlearnedAccuracy = io.lethe.learning.metrics.Accuracy.percent(learner.model(), damagedTest);
        clean.refreshHead();
        double distance = io.lethe.learning.analytic.RidgeSolver.relativeFrobenius(learner.head(), clean.head());
        LabeledBatch relearn = train.batch(UnlearningBenchmark.sample(IntStream.range(corruptingFrom, train.size()).toArray(),
                Math.max(10, corrupting.size() / 100), new SplittableRandom(seed ^ 0xBAC4L)));
        learner.learn(relearn);
        clean.learn(relearn);
        learner.refreshHead();
        clean.refreshHead();
        double relearnedAccuracy = io.lethe.learning.metrics.Accuracy.percent(learner.model(), damagedTest);
        double relearnedDistance = io.lethe.learning.analytic.RidgeSolver.relativeFrobenius(learner.head(), clean.head());
        ExactRecovery result = new ExactRecovery(scenario, corrupting.size(), distance, cleanAccuracy, corruptedAccuracy,
                unlearnedAccuracy, recovery(unlearnedAccuracy, corruptedAccuracy, cleanAccuracy), seconds,
                relearnedAccuracy, relearnedDistance);
        progress.accept(String.format(Locale.ROOT, "  %-26s class %d test: clean %.2f, corrupted %.2f, unlearned %.2f"
                + " (recovery %.1f%%); head vs the clean learner's: %.1e relative; after relearning 1 %% of the corrupting"
                + " set %.2f, %.1e from the clean learner relearning it", "analytic ridge (exact)", damaged,
                cleanAccuracy, corruptedAccuracy, unlearnedAccuracy, result.recovery(), distance, relearnedAccuracy,
                relearnedDistance));
        return result;
    }

    static double recovery(double unlearned, double corrupted, double clean) {
        return 100 * (unlearned - corrupted) / (clean - corrupted);
    }

    private CorruptionScenario() {
    }
}
