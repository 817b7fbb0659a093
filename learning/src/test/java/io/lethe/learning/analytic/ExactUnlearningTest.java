package io.lethe.learning.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.SyntheticData;
import io.lethe.learning.feature.FeatureMapSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The advertised property: after any interleaving of learn and unlearn events the head equals a direct ridge solve on the retained examples. */
class ExactUnlearningTest {

    private static final int DIM = 64;
    private static final int CLASSES = 6;
    private static final double GAMMA = 0.5;

    /** Direct solve on the retained rows, built from scratch (not from the learner's statistics). */
    private static INDArray directSolve(AnalyticRidgeLearner learner, LabeledBatch all, Set<Integer> retained) {
        int[] labels = all.labels();
        int[] classes = learner.classes();
        INDArray x = learner.features(all.inputs());
        int d = learner.featureDim();
        INDArray g = Nd4j.zeros(DataType.DOUBLE, d, d);
        INDArray q = Nd4j.zeros(DataType.DOUBLE, d, classes.length);
        for (int row : retained) {
            INDArray phi = x.getRow(row).reshape(1, d);
            g.addi(phi.transpose().mmul(phi));
            int column = -1;
            for (int c = 0; c < classes.length; c++) {
                if (classes[c] == labels[row]) {
                    column = c;
                }
            }
            q.getColumn(column).addi(phi.reshape(d));
        }
        INDArray regularised = g.add(Nd4j.eye(d).castTo(DataType.DOUBLE).muli(GAMMA));
        return org.nd4j.linalg.inverse.InvertMatrix.invert(regularised, false).mmul(q);
    }

    @Test
    void headEqualsDirectSolveAfterThousandsOfInterleavedEvents() {
        LabeledBatch all = SyntheticData.batch(42, 4000, DIM, CLASSES);
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, 160, 3), GAMMA);
        SplittableRandom random = new SplittableRandom(99);
        Set<Integer> retained = new LinkedHashSet<>();
        int next = 0;
        int events = 0;
        int unlearnEvents = 0;
        while (events < 1200) {
            boolean doUnlearn = !retained.isEmpty() && (next >= all.size() || random.nextDouble() < 0.4);
            int size = 1 + random.nextInt(6);
            List<Integer> rows = new ArrayList<>();
            if (doUnlearn) {
                List<Integer> pool = new ArrayList<>(retained);
                for (int i = 0; i < size && !pool.isEmpty(); i++) {
                    rows.add(pool.remove(random.nextInt(pool.size())));
                }
                retained.removeAll(rows);
                learner.unlearn(rowsOf(all, rows));
                unlearnEvents++;
            } else {
                for (int i = 0; i < size && next < all.size(); i++) {
                    rows.add(next++);
                }
                retained.addAll(rows);
                learner.learn(rowsOf(all, rows));
            }
            events++;
        }
        assertTrue(unlearnEvents > 300, "enough unlearn events: " + unlearnEvents);
        assertEquals(retained.size(), learner.retainedExamples());

        INDArray expected = directSolve(learner, all, retained);
        double error = RidgeSolver.relativeFrobenius(learner.head(), expected);
        assertTrue(error <= 1e-6, "relative Frobenius error of the recursive head " + error);

        // The Cholesky solve from the learner's own statistics agrees too, and reports the drift.
        double drift = learner.verifyHead();
        assertTrue(drift <= 1e-6, "drift " + drift);
        assertTrue(RidgeSolver.relativeFrobenius(learner.head(), expected) <= 1e-9);
    }

    @Test
    void orderOfEventsDoesNotMatter() {
        LabeledBatch all = SyntheticData.batch(5, 200, DIM, CLASSES);
        AnalyticRidgeLearner forward = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, 80, 1), GAMMA);
        AnalyticRidgeLearner shuffled = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, 80, 1), GAMMA);
        forward.learn(SyntheticData.slice(all, 0, 100));
        forward.learn(SyntheticData.slice(all, 100, 200));
        forward.unlearn(SyntheticData.slice(all, 50, 120));

        shuffled.learn(SyntheticData.slice(all, 120, 200));
        shuffled.learn(SyntheticData.slice(all, 0, 50));
        shuffled.verifyHead();
        // Column order depends on first sight; compare scores through class labels.
        INDArray probe = SyntheticData.batch(6, 40, DIM, CLASSES).inputs();
        java.util.Map<Integer, INDArray> a = scoresByLabel(forward, probe);
        java.util.Map<Integer, INDArray> b = scoresByLabel(shuffled, probe);
        assertEquals(a.keySet(), b.keySet());
        for (int label : a.keySet()) {
            double difference = RidgeSolver.relativeFrobenius(a.get(label), b.get(label));
            assertTrue(difference < 1e-6, "class " + label + " scores differ by " + difference);
        }
    }

    @Test
    void fullyErasedClassIsNeverPredicted() {
        LabeledBatch all = SyntheticData.batch(8, 300, DIM, 3);
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, 80, 2), GAMMA);
        learner.learn(all);
        List<Integer> classTwo = new ArrayList<>();
        int[] labels = all.labels();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == 2) {
                classTwo.add(i);
            }
        }
        learner.unlearn(rowsOf(all, classTwo));
        double drift = learner.verifyHead();
        assertTrue(drift < 1e-5, "drift before the Cholesky re-solve " + drift);
        for (int p : learner.predict(all.inputs())) {
            assertTrue(p != 2, "an erased class was predicted");
        }
        int column = java.util.Arrays.stream(learner.classes()).boxed().toList().indexOf(2);
        double columnNorm = learner.head().getColumn(column).norm2Number().doubleValue();
        double headNorm = learner.head().norm2Number().doubleValue();
        assertTrue(columnNorm < 1e-8 * headNorm, "its column is zero up to rounding: " + columnNorm + " of " + headNorm);
    }

    @Test
    void rebuildReportsDriftAndKeepsTheSolution() {
        LabeledBatch all = SyntheticData.batch(12, 400, DIM, CLASSES);
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, 120, 4), GAMMA);
        for (int i = 0; i < 400; i += 8) {
            learner.learn(SyntheticData.slice(all, i, i + 8));
        }
        INDArray before = learner.head();
        AnalyticRidgeLearner.RebuildReport report = learner.rebuild();
        assertTrue(report.headRelativeDrift() < 1e-8 && report.inverseRelativeDrift() < 1e-8, report.toString());
        assertTrue(RidgeSolver.relativeFrobenius(learner.head(), before) < 1e-8);
    }

    @Test
    void unlearningAnUnknownClassIsRejected() {
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(FeatureMapSpec.denseRelu(DIM, 40, 4), GAMMA);
        LabeledBatch b = SyntheticData.batch(1, 4, DIM, 2);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> learner.unlearn(b));
    }

    private static java.util.Map<Integer, INDArray> scoresByLabel(AnalyticRidgeLearner learner, INDArray probe) {
        INDArray scores = learner.scores(probe);
        int[] classes = learner.classes();
        java.util.Map<Integer, INDArray> out = new java.util.TreeMap<>();
        for (int c = 0; c < classes.length; c++) {
            out.put(classes[c], scores.getColumn(c).dup());
        }
        return out;
    }

    static LabeledBatch rowsOf(LabeledBatch all, List<Integer> rows) {
        int[] labels = all.labels();
        int[] selectedLabels = new int[rows.size()];
        long[] indices = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            selectedLabels[i] = labels[rows.get(i)];
            indices[i] = rows.get(i);
        }
        INDArray inputs = Nd4j.pullRows(all.inputs(), 1, toInt(indices));
        return new LabeledBatch(inputs, selectedLabels);
    }

    private static int[] toInt(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }
}
