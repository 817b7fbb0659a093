package io.lethe.learning;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J arrays on the learners' hot paths: made from Java arrays in one copy, and freed as soon as
 * they are done with rather than after a collection.
 */
public final class NativeArrays {

    private static final boolean CPU_BACKEND = Nd4j.getBackend().getClass().getName().contains("Cpu");

    private NativeArrays() {
    }

    /**
     * Whether ND4J computes in host memory through its CPU backend (OpenBLAS): the bulk copy below and
     * the direct OpenBLAS calls of the analytic learner apply only there; other backends keep ND4J's own paths.
     */
    public static boolean onCpuBackend() {
        return CPU_BACKEND;
    }

    /**
     * A {@code rows x cols} float32 matrix in 'c' order holding {@code values} (row-major), filled by one
     * bulk copy. ND4J's {@code Nd4j.create(float[], shape, FLOAT)} fills its buffer one element at a time
     * through the buffer's indexer: 180 µs for a 64 x 784 batch here against 85 µs, which was 6 % of the
     * replay application's stream thread (it builds one every step) in a CPU profile.
     */
    public static INDArray floatMatrix(float[] values, long rows, long cols) {
        if (rows < 0 || cols < 0 || values.length != rows * cols) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + rows * cols
                    + " values, got " + values.length);
        }
        if (!CPU_BACKEND || values.length == 0) {
            return Nd4j.create(values, new long[] {rows, cols}, DataType.FLOAT);
        }
        INDArray matrix = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, cols}, 'c');
        matrix.data().asNioFloat().put(0, values);
        return matrix;
    }

    /**
     * Frees an array's native memory now, so that the next batch's allocation reuses it instead of
     * faulting in fresh pages; not a view or other memory that is not the array's own.
     */
    public static void release(INDArray array) {
        if (array.closeable()) {
            array.close();
        }
    }

    /**
     * {@link #release} for a temporary derived from {@code input}, unless it is {@code input} itself
     * (a feature map or a cast may hand back what it was given, which is the caller's).
     */
    public static void releaseDerived(INDArray temporary, INDArray input) {
        if (temporary != input) {
            release(temporary);
        }
    }
}
