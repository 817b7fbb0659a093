package io.lethe.learning.analytic;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.feature.FeatureMap;
import io.lethe.learning.feature.FeatureMapSpec;
import io.lethe.learning.feature.FeatureMaps;
import java.util.Arrays;
import java.util.function.IntFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reference: ridge regression trained jointly, in one pass, on a fixed set of examples, solved
 * directly by Cholesky. Lethe's claim is that the incrementally learned and unlearned head equals
 * this on the retained data.
 */
public final class JointRidge {

    private JointRidge() {
    }

    /**
     * Fits on batches produced by {@code batches} (0 .. batchCount-1), with class columns in the
     * order of {@code classes}.
     */
    public static RidgeModel fit(FeatureMapSpec spec, double gamma, int[] classes, int batchCount,
                                 IntFunction<LabeledBatch> batches) {
        FeatureMap map = FeatureMaps.create(spec);
        int d = map.outputDim();
        INDArray gram = Nd4j.zeros(DataType.DOUBLE, d, d);
        INDArray cross = Nd4j.zeros(DataType.DOUBLE, d, classes.length);
        long[] counts = new long[classes.length];
        for (int b = 0; b < batchCount; b++) {
            LabeledBatch batch = batches.apply(b);
            INDArray x = map.apply(batch.inputs()).castTo(DataType.DOUBLE);
            int[] labels = batch.labels();
            double[] y = new double[labels.length * classes.length];
            for (int i = 0; i < labels.length; i++) {
                int column = indexOf(classes, labels[i]);
                if (column < 0) {
                    throw new IllegalArgumentException("label " + labels[i] + " not in " + Arrays.toString(classes));
                }
                y[i * classes.length + column] = 1;
                counts[column]++;
            }
            Nd4j.gemm(x, x, gram, true, false, 1.0, 1.0);
            Nd4j.gemm(x, Nd4j.create(y, new long[] {labels.length, classes.length}, DataType.DOUBLE), cross,
                    true, false, 1.0, 1.0);
        }
        boolean[] active = new boolean[classes.length];
        for (int c = 0; c < classes.length; c++) {
            active[c] = counts[c] > 0;
        }
        return new RidgeModel(spec, classes, active, RidgeSolver.solve(gram, cross, gamma));
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
