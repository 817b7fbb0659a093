package io.lethe.learning.analytic;

import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * G += s X^T X with every core busy while the BLAS runs on one thread. G's column blocks, which are
 * contiguous in its column-major layout, are updated by one GEMM each, all at once. The setting
 * {@code lethe.nd4j.threads} defaults to a one-thread BLAS because the feature map spreads images
 * over the cores itself, and a multi-threaded BLAS then only spins. This runs as fast as one
 * two-thread GEMM, and every entry is the same dot product, so G is bit for bit what one GEMM gives.
 */
final class GramUpdate {

    /**
     * One block per core. Smaller blocks taken by whichever thread is free were measured: four per
     * core made the statistics update 7 % slower in memory and learning through Kafka no faster.
     */
    private static final int BLOCKS = Math.max(1, Runtime.getRuntime().availableProcessors());

    private GramUpdate() {
    }

    /** Adds {@code sign} X^T X to the column-major d x d matrix {@code gram}, X being n x d. */
    static void add(INDArray gram, INDArray x, int sign) {
        long d = gram.columns();
        if (BLOCKS == 1 || d < 64L * BLOCKS) {
            Nd4j.gemm(x, x, gram, true, false, sign, 1.0);
            return;
        }
        IntStream.range(0, BLOCKS).parallel().forEach(block -> {
            long from = block * d / BLOCKS;
            long to = (block + 1) * d / BLOCKS;
            INDArray columns = x.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('f');
            Nd4j.gemm(x, columns, gram.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)), true, false, sign, 1.0);
            StatisticsUpdate.release(columns); // a copy of half of X: freed now, not at the next collection
        });
    }
}
