package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Four Gaussian blobs in 8 dimensions, class c centred at {@code separation} on coordinate c: data small networks learn. */
final class GaussianBlobs {

    private GaussianBlobs() {
    }

    static LabeledBatch of(int n, long seed, double separation) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * 8];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 4;
            for (int j = 0; j < 8; j++) {
                x[i * 8 + j] = (float) (random.nextGaussian() + (j == y[i] ? separation : 0));
            }
        }
        return new LabeledBatch(Nd4j.create(x, new long[] {n, 8}, DataType.FLOAT), y);
    }
}
