/**
 * JMH micro-benchmarks of the analytic learner's hot kernels: the conv feature map, the statistics
 * update and one subject's unlearning. They sit outside the test suite (timing is never asserted
 * in a test); {@code scripts/jmh} runs them. {@code lethe bench} measures the same stages end to end
 * against the machine's GEMM ceilings.
 */
package io.lethe.benchmarks;
