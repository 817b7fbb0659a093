package io.lethe.learning;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Small seeded synthetic classification data: class-dependent means plus noise. */
public final class SyntheticData {

    private SyntheticData() {
    }

    public static LabeledBatch batch(long seed, int n, int dim, int numClasses) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] flat = new float[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(numClasses);
            labels[i] = label;
            for (int j = 0; j < dim; j++) {
                double mean = ((j * 31 + label * 17) % 7) / 7.0;
                flat[i * dim + j] = (float) Math.max(0, Math.min(1, mean + 0.3 * random.nextGaussian()));
            }
        }
        return new LabeledBatch(Nd4j.create(flat, new long[] {n, dim}, DataType.FLOAT), labels);
    }

    /** Rows [from, to) of a batch as a new batch. */
    public static LabeledBatch slice(LabeledBatch b, int from, int to) {
        int[] labels = java.util.Arrays.copyOfRange(b.labels(), from, to);
        return new LabeledBatch(b.inputs().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(), labels);
    }
}
