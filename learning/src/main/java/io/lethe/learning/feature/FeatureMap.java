package io.lethe.learning.feature;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen map from raw inputs (n x inputDim) to features (n x outputDim, float64). Features are
 * computed in float64 because exact unlearning subtracts features recomputed later, possibly in a
 * batch of another shape: in float32 the BLAS blocking alone changes the last bits, and that noise
 * would stay in the model.
 */
public interface FeatureMap {

    FeatureMapSpec spec();

    default int inputDim() {
        return spec().inputDim();
    }

    int outputDim();

    /** Maps a batch; the input array is not modified. */
    INDArray apply(INDArray inputs);
}
