package io.lethe.learning.analytic;

import io.lethe.learning.NativeArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.DoublePointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * G += s X^T X with every core busy while the BLAS runs on one thread ({@code lethe.nd4j.threads}
 * defaults to a one-thread BLAS because the feature map spreads images over the cores itself, and a
 * multi-threaded BLAS then only spins).
 *
 * <p>On the CPU backend only G's lower triangle is updated: G is symmetric, and a symmetric rank-k
 * update needs half the flops of the GEMM (d^2 n instead of 2 d^2 n). G is cut into one column band
 * per core; the diagonal blocks are rank-k updates (dsyrk), the blocks below them GEMMs, and the
 * cores take blocks, largest first, as they come free. The lower triangle is what a GEMM gives, up
 * to rounding (the kernels may sum in another order); callers that need the upper triangle mirror it
 * ({@link RidgeSolver#mirrorLower}). Elsewhere (CUDA) the whole of G is updated by one GEMM per
 * column band.
 */
final class GramUpdate {

    /**
     * One band per core. Smaller blocks taken by whichever thread is free were measured with the
     * full GEMM: four per core made the statistics update 7 % slower in memory and learning through
     * Kafka no faster.
     */
    private static final int BANDS = Math.max(1, Runtime.getRuntime().availableProcessors());

    private GramUpdate() {
    }

    /** Whether {@link #add} leaves G's upper triangle as it was (only the lower one moves). */
    static boolean updatesLowerOnly() {
        return NativeBlas.available() && NativeLapack.available(); // the Cholesky paths read the lower triangle only
    }

    /**
     * Adds {@code sign} X^T X to the column-major d x d matrix {@code gram}, X being n x d: its lower
     * triangle only when {@link #updatesLowerOnly()} and G is an unshared matrix, the whole matrix
     * otherwise. Returns whether only the lower triangle moved.
     */
    static boolean add(INDArray gram, INDArray x, int sign) {
        if (updatesLowerOnly() && NativeBlas.owns(gram, 'f')) {
            addLower(gram, NativeBlas.owns(x, 'c') ? x : x.dup('c'), sign);
            return true;
        }
        long d = gram.columns();
        if (BANDS == 1 || d < 64L * BANDS) {
            Nd4j.gemm(x, x, gram, true, false, sign, 1.0);
            return false;
        }
        IntStream.range(0, BANDS).parallel().forEach(block -> {
            long from = block * d / BANDS;
            long to = (block + 1) * d / BANDS;
            INDArray columns = x.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('f');
            Nd4j.gemm(x, columns, gram.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)), true, false, sign, 1.0);
            NativeArrays.release(columns); // a copy of half of X: freed now, not at the next collection
        });
        return false;
    }

    /** One block of G's lower triangle: rows [rowFrom, rowTo) of columns [colFrom, colTo). */
    private record Block(int rowFrom, int rowTo, int colFrom, int colTo) {
        boolean diagonal() {
            return rowFrom == colFrom;
        }

        long work() {
            long rows = rowTo - rowFrom;
            long cols = colTo - colFrom;
            return diagonal() ? rows * (rows + 1) / 2 : rows * cols;
        }
    }

    /**
     * X is row-major n x d, so its buffer is X^T column-major (d x n, leading dimension d): G's block
     * (I, J) gains X^T[I] X^T[J]^T, a rank-n update of the rows I and J of X^T.
     */
    private static void addLower(INDArray gram, INDArray x, int sign) {
        int d = (int) gram.columns();
        int n = (int) x.rows();
        int bands = d < 64 * BANDS ? 1 : BANDS;
        List<Block> blocks = new ArrayList<>();
        for (int j = 0; j < bands; j++) {
            for (int i = j; i < bands; i++) {
                blocks.add(new Block(i * d / bands, (i + 1) * d / bands, j * d / bands, (j + 1) * d / bands));
            }
        }
        blocks.sort((a, b) -> Long.compare(b.work(), a.work()));
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int k = next.getAndIncrement(); k < blocks.size(); k = next.getAndIncrement()) {
                Block block = blocks.get(k);
                DoublePointer c = NativeBlas.at(gram, block.rowFrom() + (long) block.colFrom() * d);
                if (block.diagonal()) {
                    NativeBlas.syrkLower(block.rowTo() - block.rowFrom(), n, sign, NativeBlas.at(x, block.rowFrom()), d,
                            c, d);
                } else {
                    NativeBlas.gemmTransposedB(block.rowTo() - block.rowFrom(), block.colTo() - block.colFrom(), n, sign,
                            NativeBlas.at(x, block.rowFrom()), d, NativeBlas.at(x, block.colFrom()), d, c, d);
                }
            }
        };
        if (bands == 1) {
            worker.run();
        } else {
            IntStream.range(0, Math.min(bands, blocks.size())).parallel().forEach(w -> worker.run());
        }
    }
}
