package io.lethe.learning.analytic;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import org.bytedeco.javacpp.DoublePointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct CBLAS calls (dsyrk, dgemm, dsymm) on the CPU backend's own OpenBLAS (the one ND4J calls, so
 * {@code lethe.nd4j.threads} holds for them too), on sub-blocks of column-major matrices that ND4J
 * cannot express: it refuses a view as a GEMM output and has no symmetric rank-k update. Looked up
 * reflectively, as {@link NativeLapack} is, so that the module runs with the CUDA backend, where
 * {@link #available()} is false and callers use ND4J's full GEMM instead.
 */
final class NativeBlas {

    private static final int COLUMN_MAJOR = 102;
    private static final int NO_TRANSPOSE = 111;
    private static final int TRANSPOSE = 112;
    private static final int LOWER = 122;
    private static final int LEFT = 141;
    /** ND4J's own OpenBLAS (without LAPACK), whose thread count {@code lethe.nd4j.threads} sets. */
    private static final String LIBRARY = "openblas_nolapack";
    private static final MethodHandle SYRK = OpenBlasRoutines.find(LIBRARY, "cblas_dsyrk", MethodType.methodType(
            void.class, int.class, int.class, int.class, int.class, int.class, double.class, DoublePointer.class, int.class,
            double.class, DoublePointer.class, int.class));
    private static final MethodHandle GEMM = OpenBlasRoutines.find(LIBRARY, "cblas_dgemm", MethodType.methodType(
            void.class, int.class, int.class, int.class, int.class, int.class, int.class, double.class, DoublePointer.class,
            int.class, DoublePointer.class, int.class, double.class, DoublePointer.class, int.class));
    private static final MethodHandle SYMM = OpenBlasRoutines.find(LIBRARY, "cblas_dsymm", MethodType.methodType(
            void.class, int.class, int.class, int.class, int.class, int.class, double.class, DoublePointer.class, int.class,
            DoublePointer.class, int.class, double.class, DoublePointer.class, int.class));

    private NativeBlas() {
    }

    static boolean available() {
        return SYRK != null && GEMM != null && SYMM != null;
    }

    /** Whether {@code m} is an unshared float64 array whose buffer holds exactly its own elements in this order. */
    static boolean owns(INDArray m, char ordering) {
        return m.dataType() == DataType.DOUBLE && m.ordering() == ordering && !m.isView()
                && m.data().length() == m.length();
    }

    /** A pointer {@code offset} elements into a matrix's buffer (a fresh pointer: callers may share the matrix). */
    static DoublePointer at(INDArray m, long offset) {
        return new DoublePointer(m.data().addressPointer()).position(offset);
    }

    /**
     * C_lower += alpha A A^T on an n x n diagonal block: A is n x k column-major with leading dimension
     * lda, C's block has leading dimension ldc. Only C's lower triangle is read and written.
     */
    static void syrkLower(int n, int k, double alpha, DoublePointer a, int lda, DoublePointer c, int ldc) {
        invoke(SYRK, COLUMN_MAJOR, LOWER, NO_TRANSPOSE, n, k, alpha, a, lda, 1.0, c, ldc);
    }

    /** C += alpha A B^T: A is m x k, B is n x k, C m x n, all column-major with the leading dimensions given. */
    static void gemmTransposedB(int m, int n, int k, double alpha, DoublePointer a, int lda, DoublePointer b, int ldb,
                                DoublePointer c, int ldc) {
        invoke(GEMM, COLUMN_MAJOR, NO_TRANSPOSE, TRANSPOSE, m, n, k, alpha, a, lda, b, ldb, 1.0, c, ldc);
    }

    /**
     * C += S B for a symmetric n x n S of which only the lower triangle is read; B and C are n x m,
     * all unshared and column-major.
     */
    static void symmLower(INDArray s, INDArray b, INDArray c) {
        int n = (int) s.rows();
        int m = (int) b.columns();
        invoke(SYMM, COLUMN_MAJOR, LEFT, LOWER, n, m, 1.0, at(s, 0), n, at(b, 0), n, 1.0, at(c, 0), n);
    }

    private static void invoke(MethodHandle handle, Object... args) {
        OpenBlasRoutines.call(handle, args);
    }
}
