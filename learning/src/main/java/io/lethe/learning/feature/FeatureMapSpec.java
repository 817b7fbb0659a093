package io.lethe.learning.feature;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything needed to rebuild a feature map bit for bit: its kind, shape parameters and seed. A
 * checkpoint stores this instead of the map's weights.
 *
 * @param kind {@link #DENSE_RELU} or {@link #RANDOM_CONV}
 * @param inputDim length of an input row
 * @param imageSide side of a square image (conv map only; 0 otherwise)
 * @param features output width of the dense map (dense only)
 * @param filters number of conv filters (conv only)
 * @param kernel conv kernel side (conv only)
 * @param pool average-pooling window and stride (conv only)
 * @param seed seed of the random parameters
 */
public record FeatureMapSpec(String kind, int inputDim, int imageSide, int features, int filters, int kernel,
                             int pool, long seed) {

    public static final String DENSE_RELU = "dense-relu";
    public static final String RANDOM_CONV = "random-conv";

    public FeatureMapSpec {
        if (!DENSE_RELU.equals(kind) && !RANDOM_CONV.equals(kind)) {
            throw new IllegalArgumentException("unknown feature map kind '" + kind + "' (expected "
                    + DENSE_RELU + " or " + RANDOM_CONV + ")");
        }
        if (inputDim <= 0) {
            throw new IllegalArgumentException("inputDim must be positive, got " + inputDim);
        }
        if (DENSE_RELU.equals(kind) && features <= 0) {
            throw new IllegalArgumentException("dense map needs features > 0, got " + features);
        }
        if (RANDOM_CONV.equals(kind)) {
            if (imageSide * imageSide != inputDim) {
                throw new IllegalArgumentException("conv map needs a square image: imageSide " + imageSide
                        + " squared is not inputDim " + inputDim);
            }
            if (filters <= 0 || kernel <= 0 || kernel > imageSide || pool <= 0) {
                throw new IllegalArgumentException("conv map needs filters, kernel <= imageSide and pool > 0");
            }
            if ((imageSide - kernel + 1) % pool != 0) {
                throw new IllegalArgumentException("conv output side " + (imageSide - kernel + 1)
                        + " is not divisible by pool " + pool);
            }
        }
    }

    /** Dense random ReLU map: relu(x W) with W seeded Gaussian / sqrt(inputDim). */
    public static FeatureMapSpec denseRelu(int inputDim, int features, long seed) {
        return new FeatureMapSpec(DENSE_RELU, inputDim, 0, features, 0, 0, 0, seed);
    }

    /** Random convolutional map: zero-mean seeded filters, valid convolution, ReLU, average pooling. */
    public static FeatureMapSpec randomConv(int imageSide, int filters, int kernel, int pool, long seed) {
        return new FeatureMapSpec(RANDOM_CONV, imageSide * imageSide, imageSide, 0, filters, kernel, pool, seed);
    }

    /** The demo's map: 96 5x5 filters with 6x6 pooling on 28x28 images, 1,536 features. */
    public static FeatureMapSpec mnistConv(long seed) {
        return randomConv(28, 96, 5, 6, seed);
    }

    public int outputDim() {
        if (DENSE_RELU.equals(kind)) {
            return features;
        }
        int side = (imageSide - kernel + 1) / pool;
        return filters * side * side;
    }

    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("feature_map", kind);
        m.put("feature_map.input_dim", Integer.toString(inputDim));
        if (DENSE_RELU.equals(kind)) {
            m.put("feature_map.features", Integer.toString(features));
        } else {
            m.put("feature_map.image_side", Integer.toString(imageSide));
            m.put("feature_map.filters", Integer.toString(filters));
            m.put("feature_map.kernel", Integer.toString(kernel));
            m.put("feature_map.pool", Integer.toString(pool));
        }
        m.put("feature_map.output_dim", Integer.toString(outputDim()));
        m.put("feature_map.seed", Long.toString(seed));
        return m;
    }

    /** Writes the spec's fields (the one binary layout of a spec, used by checkpoints). */
    public void write(java.io.DataOutputStream out) throws java.io.IOException {
        out.writeUTF(kind);
        out.writeInt(inputDim);
        out.writeInt(imageSide);
        out.writeInt(features);
        out.writeInt(filters);
        out.writeInt(kernel);
        out.writeInt(pool);
        out.writeLong(seed);
    }

    /** Reads a spec written by {@link #write}. */
    public static FeatureMapSpec read(java.io.DataInputStream in) throws java.io.IOException {
        return new FeatureMapSpec(in.readUTF(), in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                in.readInt(), in.readLong());
    }
}
