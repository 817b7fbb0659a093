package io.lethe.benchmarks;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.analytic.AnalyticRidgeLearner;
import io.lethe.learning.feature.FeatureMapSpec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The analytic learner's kernels on MNIST-shaped inputs (pixels in [0, 1]), with the BLAS on one
 * thread as the application runs it ({@code lethe.nd4j.threads}): featurising a batch, adding a
 * batch's features to the statistics, and unlearning one subject's 60 examples (then learning them
 * back, so every invocation sees the same model).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class AnalyticLearnerKernels {

    /** Conv filters: 64, 96 (the default map, d = 1,536) or 128. */
    @Param({"96"})
    public int filters;

    private AnalyticRidgeLearner learner;
    private LabeledBatch batch;
    private INDArray batchFeatures;
    private LabeledBatch subject;

    @Setup
    public void setUp() {
        NumericThreads.apply(1);
        learner = new AnalyticRidgeLearner(FeatureMapSpec.randomConv(28, filters, 5, 6, 42), 1.0);
        batch = images(256, 1);
        subject = images(60, 2);
        for (int i = 0; i < 8; i++) {
            learner.learn(images(256, 10 + i));
        }
        learner.learn(subject);
        learner.refresh();
        batchFeatures = learner.features(batch.inputs());
    }

    private static LabeledBatch images(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] pixels = new float[n * 784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(4) == 0 ? (float) random.nextDouble() : 0f; // sparse, like digits
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(10);
        }
        return new LabeledBatch(Nd4j.create(pixels, new long[] {n, 784}, 'c').castTo(DataType.FLOAT), labels);
    }

    /** Features of 256 images. */
    @Benchmark
    public INDArray featurise256() {
        return learner.features(batch.inputs());
    }

    /** G += X^T X and Q += X^T Y for 256 precomputed feature rows (what learning costs beyond features). */
    @Benchmark
    public long statistics256() {
        learner.learnFeatures(batchFeatures, batch.labels());
        return learner.retainedExamples();
    }

    /** One subject's unlearning (features, statistics, rank-60 update of R and W), then learning it back. */
    @Benchmark
    public double unlearnSubject60() {
        double residual = learner.unlearn(subject).residual();
        learner.learn(subject);
        learner.refresh();
        return residual;
    }
}
