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

    /**
     * The unrolled 4 x 4 and 6 x 6 pooling loops must give the general loop's features bit for bit:
     * a model learned with one and unlearned with the other would otherwise lose exactness.
     */
    @Test
    void unrolledPoolingEqualsTheGeneralLoopBitForBit() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int p : new int[] {4, 6}) {
            for (int convSide : new int[] {24, 26}) { // 26: rows and columns left over that no window covers
                int filters = 7;
                float[] conv = new float[filters * convSide * convSide];
                for (int i = 0; i < conv.length; i++) {
                    // ReLU outputs: zeros, and magnitudes over six decades, so rounding depends on the order
                    conv[i] = random.nextInt(3) == 0 ? 0f
                            : (float) (random.nextDouble() * Math.pow(10, random.nextInt(6) - 3));
                }
                int pooledSide = convSide / p;
                int width = filters * pooledSide * pooledSide;
                float[] unrolled = new float[width + 3];
                float[] general = new float[width + 3];
                RandomConvFeatureMap.averagePool(conv, filters, convSide, p, new float[convSide], unrolled, 3);
                RandomConvFeatureMap.poolAnySize(conv, filters, convSide, p, new float[convSide], general, 3);
                org.junit.jupiter.api.Assertions.assertArrayEquals(general, unrolled,
                        "pool " + p + ", side " + convSide);
                assertEquals(0f, unrolled[0], "nothing written before outBase");
                float window = 0;
                for (int y = 0; y < p; y++) {
                    for (int x = 0; x < p; x++) {
                        window += conv[y * convSide + x];
                    }
                }
                assertEquals(window / (p * p), unrolled[3], 1e-6 * Math.max(1, window), "first window's mean");
            }
        }
    }

    /**
     * Unlearning subtracts an example's features from sums that learning added them to, possibly in
     * another batch: exactness needs them the same wherever the example sits. The float32 conv map
     * is bit for bit the same (one ulp, 6e-8, would be far above the 1e-9 bound); the float64 dense
     * map, one GEMM per batch, moves in the last bits (about 1e-16) with the batch, which is harmless.
     */
    @Test
    void featuresDoNotDependOnTheBatchTheExampleArrivesIn() {
        INDArray inputs = SyntheticData.batch(8, 37, 784, 10).inputs();
        int[] order = {36, 5, 0, 17, 33, 2, 16, 1, 18, 35, 19};
        FeatureMap conv = new RandomConvFeatureMap(FeatureMapSpec.mnistConv(3));
        INDArray together = conv.apply(inputs);
        INDArray shuffled = conv.apply(inputs.getRows(order));
        for (int i = 0; i < 37; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(together.getRow(i).toFloatVector(),
                    conv.apply(inputs.getRows(i)).toFloatVector(), "conv: example " + i + " alone");
        }
        for (int j = 0; j < order.length; j++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(together.getRow(order[j]).toFloatVector(),
                    shuffled.getRow(j).toFloatVector(), "conv: example " + order[j] + " at position " + j);
        }
        FeatureMap dense = FeatureMaps.create(FeatureMapSpec.denseRelu(784, 512, 3));
        INDArray denseTogether = dense.apply(inputs);
        for (int i = 0; i < 37; i += 6) {
            INDArray alone = dense.apply(inputs.getRows(i));
            double scale = denseTogether.getRow(i).norm2Number().doubleValue();
            assertEquals(0, alone.getRow(0).sub(denseTogether.getRow(i)).norm2Number().doubleValue() / scale, 1e-13,
                    "dense: example " + i + " alone");
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
