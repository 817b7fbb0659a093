package io.lethe.learning;

import io.lethe.learning.analytic.RidgeSolver;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A known-answer test of the numerical backend, run once per JVM before any learner trusts it.
 *
 * <p>The CPU backend's OpenBLAS 0.3.19 is a DYNAMIC_ARCH build, and on some AVX-512 CPUs the
 * kernels it picks compute wrong answers without any error: on an Intel Sapphire Rapids its SkylakeX
 * kernels return Cholesky factorisations that fail on positive definite matrices, and its Cooperlake
 * kernels wrong GEMMs (OpenBLAS issues 2986 and 3454). Exact unlearning on such a machine would
 * publish a wrong model, so Lethe refuses to start instead and says how to fix it (its launchers set
 * {@code OPENBLAS_CORETYPE=Haswell}, whose kernels are right there). The check takes a few
 * milliseconds: two GEMMs and the learner's symmetric rank-k update of G against a plain loop, one
 * ridge solve and one inverse against their defining equations, at sizes where OpenBLAS uses its
 * blocked code.
 */
public final class NumericsCheck {

    /** Sizes past OpenBLAS's small-matrix paths, so that its blocked GEMM and Cholesky code runs. */
    private static final int ROWS = 96;
    private static final int DIM = 256;
    private static final int OUTPUTS = 10;
    private static final double GAMMA = 1.0;

    private static boolean passed;

    private NumericsCheck() {
    }

    /**
     * Runs the check once per JVM (later calls return at once).
     *
     * @throws IllegalStateException naming every wrong result and the remedy
     */
    public static synchronized void verify() {
        if (passed) {
            return;
        }
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException(failure(problems, System.getenv("OPENBLAS_CORETYPE")));
        }
        passed = true;
    }

    static String failure(List<String> problems, String coreType) {
        return "the numerical backend (" + Nd4j.getBackend().getClass().getSimpleName() + ", OPENBLAS_CORETYPE="
                + (coreType == null ? "unset" : coreType) + ") computes wrong results on this CPU: "
                + String.join("; ", problems) + ". OpenBLAS 0.3.19 picks AVX-512 kernels that are broken on some CPUs; "
                + "start the JVM with the environment variable OPENBLAS_CORETYPE=Haswell (scripts/lethe and the Maven "
                + "build's tests set it unless it is set already)";
    }

    /** What the backend got wrong, one line per check; empty when every result is right. */
    static List<String> problems() {
        SplittableRandom random = new SplittableRandom(20_261_202L);
        double[] x = new double[ROWS * DIM];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble() - 0.5;
        }
        double[] reference = gramByLoop(x);
        List<String> problems = new ArrayList<>();
        INDArray rows = Nd4j.create(x, new long[] {ROWS, DIM}, 'c');
        INDArray gram = Nd4j.gemm(rows, rows, true, false);
        check(problems, "double GEMM (X^T X)", relativeMaxError(gram, reference), 1e-12);
        check(problems, "double symmetric rank-k update (X^T X as the learner computes G)",
                relativeMaxError(RidgeSolver.gramAsLearned(rows), reference), 1e-12);
        INDArray floatRows = rows.castTo(DataType.FLOAT);
        check(problems, "float GEMM (X^T X)", relativeMaxError(Nd4j.gemm(floatRows, floatRows, true, false), reference), 1e-5);
        INDArray cross = Nd4j.rand(DataType.DOUBLE, DIM, OUTPUTS).subi(0.5);
        INDArray regularised = gram.add(Nd4j.eye(DIM).castTo(DataType.DOUBLE).muli(GAMMA));
        try {
            INDArray head = RidgeSolver.solve(gram, cross, GAMMA);
            double residual = regularised.mmul(head).subi(cross).norm2Number().doubleValue() / cross.norm2Number().doubleValue();
            check(problems, "Cholesky solve ((G + gamma I) W = Q)", residual, 1e-9);
            INDArray inverse = RidgeSolver.inverseOfRegularised(gram, GAMMA);
            INDArray identity = Nd4j.eye(DIM).castTo(DataType.DOUBLE);
            double inverseError = regularised.mmul(inverse).subi(identity).norm2Number().doubleValue() / Math.sqrt(DIM);
            check(problems, "Cholesky inverse ((G + gamma I) R = I)", inverseError, 1e-9);
        } catch (ArithmeticException e) {
            problems.add("Cholesky factorisation of a positive definite matrix failed (" + e.getMessage() + ")");
        }
        return problems;
    }

    static void check(List<String> problems, String what, double error, double tolerance) {
        if (!(error <= tolerance)) {
            problems.add(what + " is off by " + error + " (tolerance " + tolerance + ")");
        }
    }

    private static double[] gramByLoop(double[] x) {
        double[] gram = new double[DIM * DIM];
        for (int k = 0; k < ROWS; k++) {
            for (int i = 0; i < DIM; i++) {
                double xi = x[k * DIM + i];
                for (int j = 0; j < DIM; j++) {
                    gram[i * DIM + j] += xi * x[k * DIM + j];
                }
            }
        }
        return gram;
    }

    private static double relativeMaxError(INDArray computed, double[] reference) {
        double[] values = computed.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double error = 0;
        double scale = 0;
        for (int i = 0; i < reference.length; i++) {
            error = Math.max(error, Math.abs(values[i] - reference[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        return error / scale;
    }
}
