package io.lethe.learning.analytic;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Direct ridge solves by Cholesky factorisation, the reference the recursive learner is held to. */
public final class RidgeSolver {

    /**
     * ND4J 1.0.0-M2.1's CPU trsm converts order, side, uplo and transpose to CBLAS enums but passes
     * the diag character through unconverted, so it must be given CBLAS's CblasNonUnit (131) itself.
     */
    private static final char CBLAS_NON_UNIT = (char) 131;

    private RidgeSolver() {
    }

    /**
     * Lower Cholesky factor of a symmetric positive definite matrix, by LAPACK potrf (the backend's
     * own: OpenBLAS on CPU, cuSOLVER on CUDA). ND4J's generic cholesky op rejects matrices that
     * are symmetric only up to rounding, so it is not used.
     */
    public static INDArray cholesky(INDArray spd) {
        INDArray a = spd.castTo(DataType.DOUBLE).dup('f');
        symmetrise(a);
        if (NativeLapack.available()) {
            NativeLapack.potrf(a);
        } else {
            Nd4j.getBlasWrapper().lapack().potrf(a, true);
        }
        if (a.rows() == 1) {
            return a;
        }
        return Nd4j.linalg().matrixBandPart(a, (int) a.rows() - 1, 0)[0];
    }

    /** W = (G + gamma I)^-1 Q, by Cholesky: about d^3 / 3 flops when LAPACK is at hand. */
    public static INDArray solve(INDArray gram, INDArray cross, double gamma) {
        if (NativeLapack.available() && cross.columns() > 0) {
            INDArray a = regularised(gram, gamma);
            NativeLapack.potrf(a);
            INDArray x = cross.castTo(DataType.DOUBLE).dup('f');
            NativeLapack.potrs(a, x);
            return x;
        }
        INDArray inverse = inverseOfRegularised(gram, gamma);
        return Nd4j.gemm(inverse, cross.castTo(DataType.DOUBLE), false, false);
    }

    private static INDArray regularised(INDArray gram, double gamma) {
        INDArray a = gram.castTo(DataType.DOUBLE).dup('f');
        a.addi(Nd4j.eye(a.rows()).castTo(DataType.DOUBLE).muli(gamma));
        return a;
    }

    /** (G + gamma I)^-1 by Cholesky. */
    public static INDArray inverseOfRegularised(INDArray gram, double gamma) {
        return inverseOfOwnCopy(regularised(gram, gamma));
    }

    /**
     * Inverse of a symmetric positive definite matrix: potrf, then two trsm calls against the
     * identity. The right-hand side is square on purpose: ND4J 1.0.0-M2.1's trsm takes the number
     * of right-hand-side columns from the triangular matrix, so only a square right-hand side is
     * safe; and its CPU implementation passes the diag flag to CBLAS unconverted, hence
     * {@link #CBLAS_NON_UNIT}. ND4J's own triangular_solve op is a scalar loop (minutes at d = 1,536).
     */
    public static INDArray inverseSpd(INDArray spd) {
        return inverseOfOwnCopy(spd.castTo(DataType.DOUBLE).dup('f'));
    }

    /** {@link #inverseSpd} on a column-major float64 matrix the caller hands over (it is overwritten). */
    private static INDArray inverseOfOwnCopy(INDArray a) {
        if (NativeLapack.available()) {
            // potrf + potri: about d^3 flops, against 7 d^3 / 3 for potrf and two triangular solves.
            NativeLapack.potrf(a);
            NativeLapack.potri(a);
            long n = a.rows();
            if (n == 1) {
                return a;
            }
            // potri fills the lower triangle: mirror it (lower + strictly-lower transposed).
            INDArray lower = Nd4j.linalg().matrixBandPart(a, (int) n - 1, 0)[0];
            INDArray strictlyLowerTransposed = lower.sub(Nd4j.diag(Nd4j.diag(lower))).transpose();
            return lower.addi(strictlyLowerTransposed);
        }
        INDArray lower = cholesky(a).dup('f');
        long n = lower.rows();
        INDArray x = Nd4j.eye(n).castTo(DataType.DOUBLE).dup('f');
        Nd4j.getBlasWrapper().level3().trsm('f', 'L', 'L', 'N', CBLAS_NON_UNIT, 1.0, lower, x);
        Nd4j.getBlasWrapper().level3().trsm('f', 'L', 'L', 'T', CBLAS_NON_UNIT, 1.0, lower, x);
        symmetrise(x);
        return x;
    }

    /**
     * Relative residual of the ridge normal equations, ||(G + gamma I) W - Q||_F / ||Q||_F: a cheap
     * (O(d^2 C)) check that W solves the system of the retained statistics.
     */
    public static double normalEquationResidual(INDArray gram, INDArray cross, INDArray head, double gamma) {
        return normalEquationResidual(gram, false, cross, head, gamma);
    }

    /**
     * {@link #normalEquationResidual(INDArray, INDArray, INDArray, double)} reading only G's lower
     * triangle when {@code lowerOnly} (G as {@link GramUpdate} leaves it; column-major and unshared).
     */
    static double normalEquationResidual(INDArray gram, boolean lowerOnly, INDArray cross, INDArray head, double gamma) {
        if (cross.columns() == 0) {
            return 0;
        }
        INDArray residual = cross.dup('f').negi(); // one copy, column-major for either product
        if (lowerOnly) {
            NativeBlas.symmLower(gram, head.castTo(DataType.DOUBLE).dup('f'), residual);
        } else {
            Nd4j.gemm(gram, head, residual, false, false, 1.0, 1.0);
        }
        residual.addi(head.mul(gamma));
        double scale = cross.norm2Number().doubleValue();
        double r = residual.norm2Number().doubleValue();
        return scale == 0 ? r : r / scale;
    }

    /** Tile edge of the in-place symmetrisation: two 64 x 64 double tiles fit in a core's L1/L2. */
    private static final int TILE = 64;

    /**
     * Replaces m by (m + m^T) / 2 in place. On the CPU backend, for an unshared square double matrix,
     * tile by tile in its own memory: ND4J's transposed copy took 100 to 190 ms at d = 1,536 (a
     * strided gather), which every 32nd erasure paid; the tiled pass takes a few milliseconds and
     * writes the same bits ((x + y) * 0.5 for both entries of every pair, x on the diagonal).
     */
    public static void symmetrise(INDArray m) {
        if (!NativeLapack.available() || m.dataType() != DataType.DOUBLE || m.isView() || m.rows() != m.columns()
                || m.rows() > Integer.MAX_VALUE / m.rows() || m.data().length() != m.rows() * m.rows()) {
            INDArray t = m.transpose().dup(m.ordering());
            m.addi(t).muli(0.5);
            return;
        }
        // The same in 'c' and 'f' order: entry (i, j) and entry (j, i) swap places between them.
        pairTiles(m.data().asNioDouble(), (int) m.rows(), true, true);
    }

    /**
     * Visits every pair of entries (i, j), (j, i) with i > j of an n x n matrix tile by tile, and
     * sets both to their mean ({@code average}) or the upper one to the lower one; (i, j) sits at
     * i + j n when {@code columnMajor}, at i n + j otherwise.
     */
    private static void pairTiles(java.nio.DoubleBuffer a, int n, boolean columnMajor, boolean average) {
        for (int bj = 0; bj < n; bj += TILE) {
            int jEnd = Math.min(n, bj + TILE);
            for (int bi = bj; bi < n; bi += TILE) {
                int iEnd = Math.min(n, bi + TILE);
                for (int j = bj; j < jEnd; j++) {
                    for (int i = Math.max(bi, j + 1); i < iEnd; i++) {
                        int lower = columnMajor ? i + j * n : j + i * n;
                        int upper = columnMajor ? j + i * n : i + j * n;
                        if (average) {
                            double v = (a.get(lower) + a.get(upper)) * 0.5;
                            a.put(lower, v);
                            a.put(upper, v);
                        } else {
                            a.put(upper, a.get(lower));
                        }
                    }
                }
            }
        }
    }

    /**
     * X^T X for rows X (n x d), computed as the learner computes G (its lower triangle by a symmetric
     * rank-k update where the CPU BLAS is at hand, see {@link GramUpdate}) and mirrored: what
     * {@code NumericsCheck} compares with a plain loop.
     */
    public static INDArray gramAsLearned(INDArray x) {
        INDArray gram = Nd4j.create(DataType.DOUBLE, new long[] {x.columns(), x.columns()}, 'f');
        if (GramUpdate.add(gram, x.castTo(DataType.DOUBLE), 1)) {
            mirrorLower(gram);
        }
        return gram;
    }

    /**
     * Copies the strictly lower triangle of a square float64 matrix onto its upper one, in place:
     * what {@link GramUpdate} leaves stale. Tile by tile, as {@link #symmetrise} runs.
     */
    public static void mirrorLower(INDArray m) {
        int n = (int) m.rows();
        if (!NativeBlas.owns(m, m.ordering()) || m.rows() != m.columns()) {
            throw new IllegalArgumentException("mirrorLower needs an unshared square float64 matrix, got "
                    + java.util.Arrays.toString(m.shape()));
        }
        pairTiles(m.data().asNioDouble(), n, m.ordering() == 'f', false);
    }

    /** ||a - b||_F / ||b||_F (0 when both are zero). */
    public static double relativeFrobenius(INDArray a, INDArray b) {
        double denominator = b.norm2Number().doubleValue();
        double numerator = a.sub(b).norm2Number().doubleValue();
        if (denominator == 0) {
            return numerator == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return numerator / denominator;
    }
}
