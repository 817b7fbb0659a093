package io.lethe.tools.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * This machine's ND4J GEMM rate (GFLOP/s, 2mkn flops per product) at one shape and precision: the
 * ceiling a stage built on that product is measured against. Measured in the same run as the stage,
 * because the shared machine's absolute speed drifts by 2x from day to day.
 *
 * @param name what the shape is for
 * @param type float32 or float64
 * @param m rows of the product
 * @param k the inner dimension
 * @param n columns of the product
 * @param transposeA whether the left operand is stored transposed (X^T X, as the statistics update runs it)
 * @param gflops the measured rate
 */
public record GemmCeiling(String name, DataType type, long m, long k, long n, boolean transposeA, double gflops) {

    /** Measures C = A B (or A^T B) into a column-major C, repeated for about {@code seconds} after a warm-up. */
    public static GemmCeiling measure(String name, DataType type, long m, long k, long n, boolean transposeA, double seconds) {
        INDArray a = transposeA ? Nd4j.rand(type, k, m) : Nd4j.rand(type, m, k);
        INDArray b = Nd4j.rand(type, k, n);
        INDArray c = Nd4j.create(type, new long[] {m, n}, 'f');
        for (int i = 0; i < 3; i++) {
            Nd4j.gemm(a, b, c, transposeA, false, 1.0, 0.0);
        }
        long reps = 0;
        long started = System.nanoTime();
        long budget = (long) (seconds * 1e9);
        while (System.nanoTime() - started < budget || reps < 3) {
            Nd4j.gemm(a, b, c, transposeA, false, 1.0, 0.0);
            reps++;
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        return new GemmCeiling(name, type, m, k, n, transposeA, 2.0 * m * k * n * reps / elapsed / 1e9);
    }

    /** The shape as a reader writes it, e.g. {@code float32 96x25 * 25x36864}. */
    public String shape() {
        String precision = type == DataType.FLOAT ? "float32" : "float64";
        return String.format("%s %dx%d%s * %dx%d", precision, m, k, transposeA ? " (A^T)" : "", k, n);
    }
}
