package io.lethe.learning.feature;

import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Seeded random convolution: each k x k filter is drawn Gaussian, made zero-mean (so flat regions
 * give no response) and scaled to unit norm; valid convolution, ReLU, then non-overlapping average
 * pooling. Features are ordered filter-major (filter, pooled row, pooled column).
 */
public final class RandomConvFeatureMap implements FeatureMap {

    private final FeatureMapSpec spec;
    private final INDArray filters; // [k, k, 1, filters] (YXIO)
    private final Conv2DConfig convConfig;
    private final Pooling2DConfig poolConfig;

    public RandomConvFeatureMap(FeatureMapSpec spec) {
        if (!FeatureMapSpec.RANDOM_CONV.equals(spec.kind())) {
            throw new IllegalArgumentException("not a random-conv spec: " + spec);
        }
        this.spec = spec;
        int k = spec.kernel();
        int f = spec.filters();
        double[] raw = SeededGaussian.draw(spec.seed(), f * k * k, 1.0);
        double[] yxio = new double[k * k * f];
        for (int filter = 0; filter < f; filter++) {
            double mean = 0;
            for (int i = 0; i < k * k; i++) {
                mean += raw[filter * k * k + i];
            }
            mean /= k * k;
            double norm = 0;
            for (int i = 0; i < k * k; i++) {
                double v = raw[filter * k * k + i] - mean;
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < k * k; i++) {
                // raw is filter-major (filter, y, x); YXIO puts the filter index last.
                yxio[i * f + filter] = ((raw[filter * k * k + i] - mean) / norm);
            }
        }
        this.filters = Nd4j.create(yxio, new long[] {k, k, 1, f}, DataType.DOUBLE);
        this.convConfig = Conv2DConfig.builder().kH(k).kW(k).sH(1).sW(1).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
        int p = spec.pool();
        this.poolConfig = Pooling2DConfig.builder().kH(p).kW(p).sH(p).sW(p).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).type(Pooling2D.Pooling2DType.AVG).isNHWC(false).build();
    }

    @Override
    public FeatureMapSpec spec() {
        return spec;
    }

    @Override
    public int outputDim() {
        return spec.outputDim();
    }

    /** Filter k x k weights of one filter, row-major, for tests and inspection. */
    public double[] filter(int index) {
        int k = spec.kernel();
        double[] out = new double[k * k];
        for (int y = 0; y < k; y++) {
            for (int x = 0; x < k; x++) {
                out[y * k + x] = filters.getDouble(y, x, 0, index);
            }
        }
        return out;
    }

    @Override
    public INDArray apply(INDArray inputs) {
        InputChecks.requireWidth(inputs, spec.inputDim());
        long n = inputs.rows();
        int side = spec.imageSide();
        INDArray x = inputs.castTo(DataType.DOUBLE).reshape('c', n, 1, side, side);
        INDArray conv = Nd4j.cnn().conv2d(x, filters, convConfig);
        Transforms.relu(conv, false);
        INDArray pooled = Nd4j.cnn().avgPooling2d(conv, poolConfig);
        return pooled.reshape('c', n, outputDim());
    }
}
