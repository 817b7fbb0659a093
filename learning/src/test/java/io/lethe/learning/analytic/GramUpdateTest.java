package io.lethe.learning.analytic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * G's update touches only its lower triangle on the CPU backend (a symmetric rank-k update, half the
 * GEMM's flops), and that triangle is X^T X; the learner never lets the stale upper one out.
 */
class GramUpdateTest {

    /** Largest |a - b| over the lower triangle (with the diagonal), relative to b's largest entry there. */
    private static double lowerRelativeError(INDArray a, INDArray b) {
        int d = (int) a.rows();
        double err = 0;
        double scale = 0;
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                err = Math.max(err, Math.abs(a.getDouble(i, j) - b.getDouble(i, j)));
                scale = Math.max(scale, Math.abs(b.getDouble(i, j)));
            }
        }
        return err / scale;
    }

    private static double[] upperTriangle(INDArray m) {
        int d = (int) m.rows();
        double[] upper = new double[d * (d - 1) / 2];
        int k = 0;
        for (int j = 1; j < d; j++) {
            for (int i = 0; i < j; i++) {
                upper[k++] = m.getDouble(i, j);
            }
        }
        return upper;
    }

    @Test
    void updateAddsXTransposeXToTheLowerTriangle() {
        Nd4j.getRandom().setSeed(7);
        for (int d : new int[] {100, 600, 1_000}) { // one band, then one band per core
            INDArray x = Nd4j.rand(DataType.DOUBLE, 97, d).subi(0.5);
            INDArray start = Nd4j.rand(DataType.DOUBLE, d, d);
            INDArray symmetricStart = start.add(start.transpose()).dup('f');

            INDArray updated = symmetricStart.dup('f');
            boolean lowerOnly = GramUpdate.add(updated, x, 1);
            assertEquals(GramUpdate.updatesLowerOnly(), lowerOnly, "an unshared column-major G");
            INDArray oneGemm = symmetricStart.dup('f');
            Nd4j.gemm(x, x, oneGemm, true, false, 1.0, 1.0);
            assertEquals(0.0, lowerRelativeError(updated, oneGemm), 1e-14, "d = " + d);
            if (lowerOnly) {
                assertArrayEquals(upperTriangle(symmetricStart), upperTriangle(updated), 0.0, "upper triangle untouched");
                RidgeSolver.mirrorLower(updated);
            }
            assertEquals(0.0, updated.sub(oneGemm).amaxNumber().doubleValue() / oneGemm.amaxNumber().doubleValue(), 1e-14,
                    "whole matrix, d = " + d);

            GramUpdate.add(updated, x, -1); // a downdate takes the same rows out again
            assertEquals(0.0, lowerRelativeError(updated, symmetricStart), 1e-13, "d = " + d + ", downdate");
        }
    }

    @Test
    void residualFromTheLowerTriangleEqualsTheFullProduct() {
        Nd4j.getRandom().setSeed(11);
        int d = 300;
        INDArray x = Nd4j.rand(DataType.DOUBLE, 500, d);
        INDArray gram = Nd4j.create(DataType.DOUBLE, new long[] {d, d}, 'f');
        boolean lowerOnly = GramUpdate.add(gram, x, 1);
        INDArray cross = Nd4j.rand(DataType.DOUBLE, d, 4);
        INDArray head = Nd4j.rand(DataType.DOUBLE, d, 4);
        double fromLower = RidgeSolver.normalEquationResidual(gram, lowerOnly, cross, head, 0.1);
        INDArray full = x.transpose().mmul(x).dup('f');
        double fromFull = RidgeSolver.normalEquationResidual(full, cross, head, 0.1);
        assertEquals(fromFull, fromLower, 1e-12 * fromFull);
    }

    @Test
    void aSnapshotCarriesGWholeWithoutTheErasedRows() throws Exception {
        Nd4j.getRandom().setSeed(3);
        FeatureMapSpec spec = FeatureMapSpec.denseRelu(20, 64, 5L);
        AnalyticRidgeLearner first = new AnalyticRidgeLearner(spec, 0.5);
        INDArray kept = Nd4j.rand(DataType.DOUBLE, 40, 20);
        INDArray erased = Nd4j.rand(DataType.DOUBLE, 30, 20);
        int[] keptLabels = new int[40];
        int[] erasedLabels = new int[30];
        for (int i = 0; i < 40; i++) {
            keptLabels[i] = i % 3;
        }
        for (int i = 0; i < 30; i++) {
            erasedLabels[i] = i % 3;
        }
        first.learn(new LabeledBatch(erased, erasedLabels));
        AnalyticRidgeLearner restored = new AnalyticRidgeLearner(spec, 0.5);
        restored.readState(new DataInputStream(new ByteArrayInputStream(stateOf(first)))); // G whole, from the file
        restored.learn(new LabeledBatch(kept, keptLabels));
        restored.unlearn(new LabeledBatch(erased, erasedLabels));

        AnalyticRidgeState written = AnalyticRidgeState.read(new DataInputStream(new ByteArrayInputStream(
                stateOf(restored))), spec, 64, 0.5, "test");
        INDArray features = restored.features(kept);
        INDArray expected = features.transpose().mmul(features);
        double scale = expected.amaxNumber().doubleValue();
        assertEquals(0.0, written.gram().sub(expected).amaxNumber().doubleValue() / scale, 1e-12,
                "both triangles of the snapshot's G are the kept rows' X^T X");
        assertTrue(written.gram().equalsWithEps(written.gram().transpose(), 0.0), "the snapshot's G is symmetric");
    }

    private static byte[] stateOf(AnalyticRidgeLearner learner) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            learner.writeState(out);
        }
        return bytes.toByteArray();
    }
}
