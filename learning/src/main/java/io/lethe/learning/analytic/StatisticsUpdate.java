package io.lethe.learning.analytic;

import io.lethe.learning.NativeArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The sufficient statistics' update for a batch: G += s X^T X (by {@link GramUpdate}) and Q += s X^T Y,
 * from features in float64, or in float32 widened here.
 */
final class StatisticsUpdate {

    /** Rows of float32 features widened to float64 at a time by {@link #addByRowBlocks}. */
    private static final int WIDEN_ROWS = 1024;

    private StatisticsUpdate() {
    }

    static INDArray asDouble(INDArray features) {
        return features.dataType() == DataType.DOUBLE ? features : features.castTo(DataType.DOUBLE);
    }

    /**
     * G += s X^T X and Q += s X^T Y for float64 features X (n x d) and targets Y (n x C); true if only
     * G's lower triangle moved (see {@link GramUpdate}).
     */
    static boolean add(INDArray gram, INDArray cross, INDArray x, INDArray y, int sign) {
        boolean lowerOnly = GramUpdate.add(gram, x, sign);
        Nd4j.gemm(x, y, cross, true, false, sign, 1.0);
        return lowerOnly;
    }

    /**
     * {@link #add} for a large batch of float32 features, widened to float64 a block of rows at a time:
     * a class erasure's whole batch in float64 (75 MB for 6,000 examples at d = 1,536) was a native
     * allocation that took 37 to 184 ms, more than the widening itself. The sum of the blocks' products
     * is X^T X up to rounding, as the learned batches' sum is.
     */
    static boolean addByRowBlocks(INDArray gram, INDArray cross, INDArray features, INDArray y, int sign) {
        long n = features.rows();
        if (features.dataType() == DataType.DOUBLE || n <= WIDEN_ROWS) {
            return add(gram, cross, asDouble(features), y, sign);
        }
        boolean lowerOnly = false;
        for (long from = 0; from < n; from += WIDEN_ROWS) {
            long to = Math.min(n, from + WIDEN_ROWS);
            INDArray x = features.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).castTo(DataType.DOUBLE);
            INDArray targets = y.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
            lowerOnly |= add(gram, cross, x, targets, sign);
            NativeArrays.release(x); // back to the allocator now, for the next block, not after the next collection
            NativeArrays.release(targets);
        }
        return lowerOnly;
    }
}
