package io.lethe.learning.feature;

import java.util.SplittableRandom;

/**
 * Seeded Gaussian numbers drawn in Java rather than by the ND4J backend's generator, so a feature
 * map's parameters are identical on every backend (CPU or CUDA) and every version.
 */
final class SeededGaussian {

    private SeededGaussian() {
    }

    static double[] draw(long seed, int count, double scale) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextGaussian() * scale;
        }
        return values;
    }
}
