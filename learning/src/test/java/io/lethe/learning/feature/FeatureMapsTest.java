package io.lethe.learning.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lethe.learning.SyntheticData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class FeatureMapsTest {

    @Test
    void convMapMatchesAHandWrittenConvolution() {
        int side = 10;
        FeatureMapSpec spec = FeatureMapSpec.randomConv(side, 5, 3, 4, 21);
        RandomConvFeatureMap map = new RandomConvFeatureMap(spec);
        INDArray inputs = SyntheticData.batch(3, 2, side * side, 3).inputs();
        INDArray out = map.apply(inputs);
        assertEquals(5 * 2 * 2, out.columns());
        int convSide = side - 3 + 1;
        for (int n = 0; n < 2; n++) {
            for (int f = 0; f < 5; f++) {
                double[] w = map.filter(f);
                double[][] conv = new double[convSide][convSide];
                for (int y = 0; y < convSide; y++) {
                    for (int x = 0; x < convSide; x++) {
                        double s = 0;
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                s += w[ky * 3 + kx] * inputs.getDouble(n, (y + ky) * side + (x + kx));
                            }
                        }
                        conv[y][x] = Math.max(0, s);
                    }
                }
                for (int py = 0; py < 2; py++) {
                    for (int px = 0; px < 2; px++) {
                        double mean = 0;
                        for (int y = 0; y < 4; y++) {
                            for (int x = 0; x < 4; x++) {
                                mean += conv[py * 4 + y][px * 4 + x];
                            }
                        }
                        mean /= 16;
                        assertEquals(mean, out.getDouble(n, f * 4 + py * 2 + px), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void convFiltersAreZeroMeanAndUnitNorm() {
        RandomConvFeatureMap map = new RandomConvFeatureMap(FeatureMapSpec.mnistConv(5));
        assertEquals(1536, map.outputDim());
        for (int f = 0; f < 96; f += 17) {
            double sum = 0;
            double norm = 0;
            for (double v : map.filter(f)) {
                sum += v;
                norm += v * v;
            }
            assertEquals(0, sum, 1e-5);
            assertEquals(1, norm, 1e-5);
        }
    }

    @Test
    void denseMapMatchesReluOfProduct() {
        FeatureMapSpec spec = FeatureMapSpec.denseRelu(16, 8, 4);
        INDArray inputs = SyntheticData.batch(1, 3, 16, 2).inputs();
        INDArray out = FeatureMaps.create(spec).apply(inputs);
        // Recreate the weights the documented way and compare one entry by hand.
        double[] w = SeededGaussian.draw(4, 16 * 8, 1 / Math.sqrt(16));
        double s = 0;
        for (int j = 0; j < 16; j++) {
            s += inputs.getDouble(2, j) * w[j * 8 + 5];
        }
        assertEquals(Math.max(0, s), out.getDouble(2, 5), 1e-5);
    }

    @Test
    void sameSeedSameFeaturesOtherSeedOtherFeatures() {
        INDArray inputs = SyntheticData.batch(2, 4, 64, 2).inputs();
        FeatureMapSpec a = FeatureMapSpec.randomConv(8, 6, 3, 2, 1);
        assertEquals(FeatureMaps.create(a).apply(inputs), FeatureMaps.create(a).apply(inputs));
        assertNotEquals(FeatureMaps.create(a).apply(inputs),
                FeatureMaps.create(FeatureMapSpec.randomConv(8, 6, 3, 2, 2)).apply(inputs));
    }

    @Test
    void badSpecsAndShapesAreRejectedClearly() {
        assertThrows(IllegalArgumentException.class, () -> FeatureMapSpec.randomConv(28, 96, 5, 7, 1));
        assertThrows(IllegalArgumentException.class, () -> new FeatureMapSpec("pca", 10, 0, 4, 0, 0, 0, 1));
        FeatureMap map = FeatureMaps.create(FeatureMapSpec.denseRelu(16, 8, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> map.apply(SyntheticData.batch(1, 2, 15, 2).inputs()));
        assertEquals(true, e.getMessage().contains("16"));
    }
}
