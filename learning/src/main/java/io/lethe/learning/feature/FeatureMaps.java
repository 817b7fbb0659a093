package io.lethe.learning.feature;

/** Builds the feature map a spec describes. */
public final class FeatureMaps {

    private FeatureMaps() {
    }

    public static FeatureMap create(FeatureMapSpec spec) {
        return switch (spec.kind()) {
            case FeatureMapSpec.DENSE_RELU -> new DenseReluFeatureMap(spec);
            case FeatureMapSpec.RANDOM_CONV -> new RandomConvFeatureMap(spec);
            default -> throw new IllegalArgumentException("unknown feature map kind " + spec.kind());
        };
    }
}
