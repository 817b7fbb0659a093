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
 * @param callers threads calling it at once
 * @param gflops the measured rate
 */
public record GemmCeiling(String name, DataType type, long m, long k, long n, boolean transposeA, int callers,
                          double gflops) {

    /**
     * Measures C = A B (or A^T B) into a column-major C, repeated for about {@code seconds} after a
     * warm-up, from {@code callers} threads at once (each with its own operands), as the stage under
     * test calls it: the conv map runs one small GEMM per image on every core, the statistics update
     * one large GEMM that the BLAS spreads over the cores itself. Several callers run with a
     * one-thread BLAS each (the best this machine does at a small shape), one caller with the BLAS's
     * default threads.
     */
    public static GemmCeiling measure(String name, DataType type, long m, long k, long n, boolean transposeA, int callers,
                                      double seconds) {
        int blasThreads = Nd4j.factory().blas().getMaxThreads();
        if (callers > 1) {
            Nd4j.factory().blas().setMaxThreads(1); // as the stage runs: the callers share the cores, not the BLAS
        }
        try {
            return measureNow(name, type, m, k, n, transposeA, callers, seconds);
        } finally {
            Nd4j.factory().blas().setMaxThreads(blasThreads);
        }
    }

    private static GemmCeiling measureNow(String name, DataType type, long m, long k, long n, boolean transposeA, int callers,
                                          double seconds) {
        long[] reps = new long[callers];
        long budget = (long) (seconds * 1e9);
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(callers);
        long[] started = new long[1];
        java.util.stream.IntStream.range(0, callers).parallel().forEach(t -> {
            INDArray a = transposeA ? Nd4j.rand(type, k, m) : Nd4j.rand(type, m, k);
            INDArray b = Nd4j.rand(type, k, n);
            INDArray c = Nd4j.create(type, new long[] {m, n}, 'f');
            for (int i = 0; i < 20; i++) {
                Nd4j.gemm(a, b, c, transposeA, false, 1.0, 0.0);
            }
            ready.countDown();
            try {
                ready.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (started) {
                if (started[0] == 0) {
                    started[0] = System.nanoTime();
                }
            }
            long from = System.nanoTime();
            while (System.nanoTime() - from < budget || reps[t] < 3) {
                Nd4j.gemm(a, b, c, transposeA, false, 1.0, 0.0);
                reps[t]++;
            }
        });
        double elapsed = (System.nanoTime() - started[0]) / 1e9;
        long total = java.util.Arrays.stream(reps).sum();
        return new GemmCeiling(name, type, m, k, n, transposeA, callers, 2.0 * m * k * n * total / elapsed / 1e9);
    }

    /** The shape as a reader writes it, e.g. {@code float32 96x25 * 25x36864}. */
    public String shape() {
        String precision = type == DataType.FLOAT ? "float32" : "float64";
        return String.format("%s %dx%d%s * %dx%d%s", precision, m, k, transposeA ? " (A^T)" : "", k, n,
                callers > 1 ? ", " + callers + " callers" : "");
    }
}
