package io.lethe.learning.analytic;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ridge learner's sufficient statistics, G = sum phi phi^T (d x d) and Q = sum phi y^T (d x C),
 * in float64, and what is computed from them alone: the head by a Cholesky solve, R by a
 * re-inversion, the normal-equation residual of a head.
 *
 * <p>Where {@link GramUpdate} moves only G's lower triangle, the upper one falls behind. Everything
 * here reads only the lower one (the Cholesky factorisations by construction, the residual through a
 * symmetric product), and {@link #gram()} mirrors it before G leaves, so that no stale sum, which may
 * still hold an erased example, reaches a snapshot.
 */
final class RidgeStatistics {

    private final INDArray gram;
    private INDArray cross;
    private boolean upperStale;

    /** Empty statistics at d features and no class yet. */
    RidgeStatistics(int d) {
        // Column-major: Nd4j.gemm accumulates into an 'f' matrix in place; into a 'c' one it copies
        // the whole d x d output in and out on every call.
        this(Nd4j.create(DataType.DOUBLE, new long[] {d, d}, 'f'), Nd4j.zeros(DataType.DOUBLE, d, 0));
    }

    /** Statistics read back from a state: G whole. */
    RidgeStatistics(INDArray gram, INDArray cross) {
        this.gram = gram;
        this.cross = cross;
    }

    /**
     * Flops the update needs per example at d features and C classes: d (d + 1) for G's lower
     * triangle where only that moves (the CPU backend), 2 d^2 for the whole of G elsewhere, plus
     * 2 d C for Q.
     */
    static double flopsPerExample(int d, int classes) {
        double gramFlops = GramUpdate.updatesLowerOnly() ? (double) d * (d + 1) : 2.0 * d * d;
        return gramFlops + 2.0 * d * classes;
    }

    /** {@link #flopsPerExample} as a formula, for reports. */
    static String flopsRule() {
        return GramUpdate.updatesLowerOnly() ? "d(d+1) + 2dC: G's lower triangle" : "2d^2 + 2dC: the whole of G";
    }

    /** G += s X^T X and Q += s X^T Y for float64 features X (n x d) and targets Y (n x C). */
    void add(INDArray x, INDArray y, int sign) {
        upperStale |= StatisticsUpdate.add(gram, cross, x, y, sign);
    }

    /** {@link #add} for a large batch of features in float32 or float64 (see {@link StatisticsUpdate#addByRowBlocks}). */
    void addByRowBlocks(INDArray features, INDArray y, int sign) {
        upperStale |= StatisticsUpdate.addByRowBlocks(gram, cross, features, y, sign);
    }

    /** Q gains a zero column for a class seen for the first time. */
    void addClassColumn() {
        cross = ClassColumns.withZeroColumn(cross);
    }

    /** Q (d x C), the learner's to read, not to change. */
    INDArray cross() {
        return cross;
    }

    /** W = (G + gamma I)^-1 Q by one Cholesky solve. */
    INDArray solveHead(double gamma) {
        return RidgeSolver.solve(gram, cross, gamma);
    }

    /** R = (G + gamma I)^-1, re-inverted. */
    INDArray regularisedInverse(double gamma) {
        return RidgeSolver.inverseOfRegularised(gram, gamma);
    }

    /** ||(G + gamma I) W - Q|| / ||Q|| for the head W. */
    double residual(INDArray head, double gamma) {
        return RidgeSolver.normalEquationResidual(gram, upperStale, cross, head, gamma);
    }

    /** G with both triangles current, for a snapshot. */
    INDArray gram() {
        if (upperStale) {
            RidgeSolver.mirrorLower(gram);
            upperStale = false;
        }
        return gram;
    }
}
