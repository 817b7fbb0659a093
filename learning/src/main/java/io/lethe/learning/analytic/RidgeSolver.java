package io.lethe.learning.analytic;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Direct ridge solves by Cholesky factorisation, the reference the recursive learner is held to. */
public final class RidgeSolver {

    private RidgeSolver() {
    }

    /** Lower Cholesky factor of G + gamma I. */
    public static INDArray choleskyOfRegularised(INDArray gram, double gamma) {
        INDArray a = gram.castTo(DataType.DOUBLE).dup('c');
        a.addi(Nd4j.eye(a.rows()).castTo(DataType.DOUBLE).muli(gamma));
        return cholesky(a);
    }

    /**
     * Lower Cholesky factor of a symmetric positive definite matrix, by LAPACK potrf (the backend's
     * own: OpenBLAS on CPU, cuSOLVER on CUDA). ND4J's generic cholesky op rejects matrices that
     * are symmetric only up to rounding, so it is not used.
     */
    public static INDArray cholesky(INDArray spd) {
        INDArray a = spd.castTo(DataType.DOUBLE).dup('f');
        symmetrise(a);
        Nd4j.getBlasWrapper().lapack().potrf(a, true);
        if (a.rows() == 1) {
            return a;
        }
        return Nd4j.linalg().matrixBandPart(a, (int) a.rows() - 1, 0)[0];
    }

    /** W = (G + gamma I)^-1 Q. */
    public static INDArray solve(INDArray gram, INDArray cross, double gamma) {
        INDArray l = choleskyOfRegularised(gram, gamma);
        return solveWithFactor(l, cross);
    }

    /** Solves (L L^T) X = B given the lower factor L. */
    public static INDArray solveWithFactor(INDArray lower, INDArray rhs) {
        INDArray b = rhs.castTo(DataType.DOUBLE).dup('c');
        INDArray z = Nd4j.linalg().triangularSolve(lower, b, true, false);
        return Nd4j.linalg().triangularSolve(lower, z, true, true);
    }

    /** Replaces m by (m + m^T) / 2 in place. */
    public static void symmetrise(INDArray m) {
        INDArray t = m.transpose().dup('c');
        m.addi(t).muli(0.5);
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
