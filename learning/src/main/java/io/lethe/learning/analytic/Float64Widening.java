package io.lethe.learning.analytic;

import io.lethe.learning.NativeArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float32 features widened to float64 into one array, kept from batch to batch while the batch size
 * repeats: a fresh float64 copy (3 MB at 256 x 1,536) was a zero-filled native allocation on fresh
 * pages every batch, about a tenth of the learner thread's time in a CPU profile. Exact: every float
 * is a double. What it returns is overwritten by the next call, so a caller that keeps it copies it.
 */
final class Float64Widening {

    private INDArray widened;

    /** Float64 features as they are; float32 ones widened into the kept array. */
    INDArray of(INDArray features) {
        if (features.dataType() == DataType.DOUBLE) {
            return features;
        }
        if (widened == null || widened.rows() != features.rows() || widened.columns() != features.columns()) {
            if (widened != null) {
                NativeArrays.release(widened);
            }
            widened = Nd4j.createUninitialized(DataType.DOUBLE, new long[] {features.rows(), features.columns()}, 'c');
        }
        return widened.assign(features);
    }
}
