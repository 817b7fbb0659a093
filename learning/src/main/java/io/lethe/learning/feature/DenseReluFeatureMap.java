package io.lethe.learning.feature;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** relu(x W) with a seeded Gaussian W of scale 1/sqrt(inputDim). */
public final class DenseReluFeatureMap implements FeatureMap {

    private final FeatureMapSpec spec;
    private final INDArray weights;

    public DenseReluFeatureMap(FeatureMapSpec spec) {
        if (!FeatureMapSpec.DENSE_RELU.equals(spec.kind())) {
            throw new IllegalArgumentException("not a dense-relu spec: " + spec);
        }
        this.spec = spec;
        double[] w = SeededGaussian.draw(spec.seed(), spec.inputDim() * spec.features(), 1.0 / Math.sqrt(spec.inputDim()));
        this.weights = Nd4j.create(w, new long[] {spec.inputDim(), spec.features()}, DataType.DOUBLE);
    }

    @Override
    public FeatureMapSpec spec() {
        return spec;
    }

    @Override
    public int outputDim() {
        return spec.features();
    }

    @Override
    public INDArray apply(INDArray inputs) {
        InputChecks.requireWidth(inputs, spec.inputDim());
        INDArray x = inputs.dataType() == DataType.DOUBLE ? inputs : inputs.castTo(DataType.DOUBLE);
        INDArray out = Nd4j.gemm(x, weights, false, false);
        return Transforms.relu(out, false);
    }
}
