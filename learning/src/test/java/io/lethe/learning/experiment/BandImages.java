package io.lethe.learning.experiment;

import io.lethe.learning.data.ImageDataset;
import java.util.SplittableRandom;

/** 28 x 28 synthetic images whose class c lights up a band of rows (2c + 4 to 2c + 6), plus noise: learnable. */
final class BandImages {

    private BandImages() {
    }

    static ImageDataset of(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] pixels = new byte[n][28 * 28];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            for (int p = 0; p < 28 * 28; p++) {
                int row = p / 28;
                boolean band = row >= 2 * labels[i] + 4 && row < 2 * labels[i] + 7;
                pixels[i][p] = (byte) Math.min(255, (band ? 180 : 0) + random.nextInt(60));
            }
        }
        return new ImageDataset(pixels, labels, 28);
    }
}
