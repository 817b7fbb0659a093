package io.lethe.learning.analytic;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import org.bytedeco.javacpp.DoublePointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct LAPACK calls (potrf, potrs, potri) on the CPU backend's own OpenBLAS, for the three
 * factorisation steps ND4J 1.0.0-M2.1 does badly: its potrf wrapper zeroes the other triangle with
 * one Java call per element, its trsm takes the right-hand side's width from the wrong matrix, and
 * it has no potrs or potri. Looked up reflectively so the module still compiles and runs with the
 * CUDA backend, where {@link #available()} is false and {@link RidgeSolver} uses ND4J calls instead.
 * All matrices passed here are column-major ('f') and unshared.
 */
final class NativeLapack {

    private static final int COLUMN_MAJOR = 102;
    private static final byte LOWER = 'L';
    private static final MethodHandle POTRF = OpenBlasRoutines.find("openblas", "LAPACKE_dpotrf",
            MethodType.methodType(int.class, int.class, byte.class, int.class, DoublePointer.class, int.class));
    private static final MethodHandle POTRS = OpenBlasRoutines.find("openblas", "LAPACKE_dpotrs",
            MethodType.methodType(int.class, int.class, byte.class, int.class, int.class, DoublePointer.class, int.class,
                    DoublePointer.class, int.class));
    private static final MethodHandle POTRI = OpenBlasRoutines.find("openblas", "LAPACKE_dpotri",
            MethodType.methodType(int.class, int.class, byte.class, int.class, DoublePointer.class, int.class));

    private NativeLapack() {
    }

    static boolean available() {
        return POTRF != null && POTRS != null && POTRI != null;
    }

    private static DoublePointer pointer(INDArray columnMajor) {
        if (columnMajor.ordering() != 'f' || columnMajor.isView()) {
            throw new IllegalArgumentException("LAPACK needs an unshared column-major array");
        }
        return (DoublePointer) columnMajor.data().addressPointer();
    }

    /** Lower Cholesky factor in place (the upper triangle is left as it was and must be ignored). */
    static void potrf(INDArray a) {
        int n = (int) a.rows();
        check("dpotrf", invoke(POTRF, COLUMN_MAJOR, LOWER, n, pointer(a), n), "the matrix is not positive definite");
    }

    /** Solves A X = B in place in b, given a's lower factor from {@link #potrf}. */
    static void potrs(INDArray factor, INDArray b) {
        int n = (int) factor.rows();
        check("dpotrs", invoke(POTRS, COLUMN_MAJOR, LOWER, n, (int) b.columns(), pointer(factor), n, pointer(b), n), "");
    }

    /** Replaces the lower triangle of the factor by the lower triangle of A^-1. */
    static void potri(INDArray factor) {
        int n = (int) factor.rows();
        check("dpotri", invoke(POTRI, COLUMN_MAJOR, LOWER, n, pointer(factor), n), "the matrix is singular");
    }

    private static int invoke(MethodHandle handle, Object... args) {
        return (int) OpenBlasRoutines.call(handle, args);
    }

    private static void check(String routine, int info, String positive) {
        if (info < 0) {
            throw new IllegalArgumentException(routine + ": argument " + (-info) + " is invalid");
        }
        if (info > 0) {
            throw new ArithmeticException(routine + " failed at " + info + ": " + positive);
        }
    }
}
