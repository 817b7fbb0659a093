package io.lethe.learning;

import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's thread counts. Small-batch network training (hundreds of examples per step) runs two to
 * three times faster on one thread than on two on a 2-core machine (OpenMP and BLAS threads spin
 * and contend); large GEMMs (the analytic learner) want all cores. The entry points choose.
 */
public final class NumericThreads {

    private NumericThreads() {
    }

    /** Sets ND4J's op and BLAS threads; 0 keeps the backend's defaults. */
    public static void apply(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("thread count must be >= 0 (0 = backend default), got " + threads);
        }
        if (threads == 0) {
            return;
        }
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }
}
