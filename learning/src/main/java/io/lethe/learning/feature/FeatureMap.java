package io.lethe.learning.feature;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen map from raw inputs (n x inputDim) to features (n x outputDim), in the map's own
 * precision; consumers widen them to float64. Exact unlearning subtracts features recomputed later,
 * possibly in a batch of another shape, so an example's features must not depend on its batch
 * beyond what float64 sums absorb: the conv map runs in float32 and is bit-identical whatever the
 * batch (one fixed-shape GEMM per image: in float32 a batched GEMM's blocking alone moves the last
 * bit, and that noise would stay in the model); the dense map runs in float64, one GEMM per batch,
 * whose last bits (about 1e-16) may move with the batch, far below the exactness bound.
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
