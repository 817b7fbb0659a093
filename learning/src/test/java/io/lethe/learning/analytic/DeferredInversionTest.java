package io.lethe.learning.analytic;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.SyntheticData;
import io.lethe.learning.feature.FeatureMapSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A large erasure (at least d/2 examples) answers with a Cholesky solve of the head and leaves R
 * behind for the next refresh: the head must still equal a solve on the remaining data, and the
 * rank-n updates that follow (which first re-invert) must stay exact.
 */
class DeferredInversionTest {

    private static final int DIM = 48;
    private static final int FEATURES = 120;
    private static final double GAMMA = 0.5;

    /** W = (X^T X + gamma I)^-1 X^T Y on rows [from, to) of {@code all}, classes in first-seen order. */
    private static INDArray solveOn(AnalyticRidgeLearner learner, LabeledBatch all, int from, int to) {
        LabeledBatch rows = SyntheticData.slice(all, from, to);
        INDArray x = learner.features(rows.inputs());
        int[] classes = learner.classes();
        INDArray y = Nd4j.zeros(DataType.DOUBLE, rows.size(), classes.length);
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < classes.length; c++) {
                if (classes[c] == rows.labels()[i]) {
                    y.putScalar(i, c, 1.0);
                }
            }
        }
        INDArray gram = x.transpose().mmul(x);
        return RidgeSolver.solve(gram, x.transpose().mmul(y), GAMMA);
    }

    @Test
    void largeErasureLeavesTheInverseBehindAndStaysExact() {
        LabeledBatch all = SyntheticData.batch(17, 540, DIM, 5);
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, FEATURES, 4), GAMMA);
        learner.learn(SyntheticData.slice(all, 0, 500));
        learner.refresh();
        assertFalse(learner.inverseBehind());

        learner.unlearn(SyntheticData.slice(all, 0, 200)); // 200 >= d/2: the large-erasure path
        assertTrue(learner.inverseBehind(), "a large erasure leaves R to the next refresh");
        double afterLarge = RidgeSolver.relativeFrobenius(learner.head(), solveOn(learner, all, 200, 500));
        assertTrue(afterLarge <= 1e-9, "head after the large erasure vs a solve on the rest: " + afterLarge);

        // Learning more and a small erasure next: the small one re-inverts first, then runs its rank-n update.
        learner.learn(SyntheticData.slice(all, 500, 540)); // few enough for a block update of R
        learner.unlearn(SyntheticData.slice(all, 200, 203));
        assertFalse(learner.inverseBehind());
        double afterSmall = RidgeSolver.relativeFrobenius(learner.head(), solveOn(learner, all, 203, 540));
        assertTrue(afterSmall <= 1e-9, "head after the small erasure vs a solve on the rest: " + afterSmall);
        assertTrue(learner.rebuild().inverseRelativeDrift() <= 1e-9, "R after the catch-up equals a fresh inverse");
    }

    /**
     * A large erasure while R is behind what was learned (a few rows waiting for a block update, or
     * enough for a re-inversion) goes straight to G and Q, without bringing R up to date first: the
     * head must equal a solve on the rest, and so must the head after a small erasure that follows.
     */
    @Test
    void largeErasureWhileTheInverseIsBehindStaysExact() {
        for (int pending : new int[] {20, 300}) { // FEATURES / 2 = 60: a block update, then a re-inversion
            LabeledBatch all = SyntheticData.batch(29, 500 + pending, DIM, 5);
            AnalyticRidgeLearner learner = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, FEATURES, 4), GAMMA);
            learner.learn(SyntheticData.slice(all, 0, 500));
            learner.refresh();
            learner.learn(SyntheticData.slice(all, 500, 500 + pending));
            assertTrue(learner.inverseBehind());

            learner.unlearn(SyntheticData.slice(all, 0, 200));
            double afterLarge = RidgeSolver.relativeFrobenius(learner.head(), solveOn(learner, all, 200, 500 + pending));
            assertTrue(afterLarge <= 1e-9, pending + " pending, head after the large erasure vs a solve on the rest: "
                    + afterLarge);
            learner.unlearn(SyntheticData.slice(all, 200, 205));
            double afterSmall = RidgeSolver.relativeFrobenius(learner.head(), solveOn(learner, all, 205, 500 + pending));
            assertTrue(afterSmall <= 1e-9, pending + " pending, head after the small erasure vs a solve on the rest: "
                    + afterSmall);
            assertTrue(learner.rebuild().inverseRelativeDrift() <= 1e-9, "R equals a fresh inverse");
        }
    }

    /**
     * A class erasure's cached float32 features are widened to float64 a block of rows at a time (1,024);
     * 2,500 rows make three blocks, the last one partial. The head must equal a solve on the rest.
     */
    @Test
    void largeFloat32ErasureWidenedByRowBlocksStaysExact() {
        LabeledBatch all = SyntheticData.batch(23, 3_300, DIM, 5);
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, FEATURES, 4), GAMMA);
        INDArray kept = learner.features(all.inputs()).castTo(DataType.FLOAT); // what a feature cache holds
        for (int from = 0; from < 3_300; from += 256) {
            int to = Math.min(3_300, from + 256);
            learner.learnFeatures(kept.get(NDArrayIndex.interval(from, to),
                    NDArrayIndex.all()).castTo(DataType.DOUBLE),
                    java.util.Arrays.copyOfRange(all.labels(), from, to));
        }
        learner.refresh();
        learner.unlearnFeatures(kept.get(NDArrayIndex.interval(0, 2_500),
                NDArrayIndex.all()).dup(),
                java.util.Arrays.copyOfRange(all.labels(), 0, 2_500));
        assertTrue(learner.inverseBehind(), "2,500 >= d/2: the large-erasure path");

        INDArray rest = kept.get(NDArrayIndex.interval(2_500, 3_300),
                NDArrayIndex.all()).castTo(DataType.DOUBLE);
        int[] classes = learner.classes();
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 800, classes.length);
        for (int i = 0; i < 800; i++) {
            for (int c = 0; c < classes.length; c++) {
                if (classes[c] == all.labels()[2_500 + i]) {
                    y.putScalar(i, c, 1.0);
                }
            }
        }
        INDArray solved = RidgeSolver.solve(rest.transpose().mmul(rest), rest.transpose().mmul(y), GAMMA);
        double drift = RidgeSolver.relativeFrobenius(learner.head(), solved);
        assertTrue(drift <= 1e-9, "head after a float32 erasure of 2,500 rows vs a solve on the rest: " + drift);
        assertTrue(learner.retainedExamples() == 800, "retained: " + learner.retainedExamples());
    }
}
