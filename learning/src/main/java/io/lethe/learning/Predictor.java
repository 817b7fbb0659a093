package io.lethe.learning;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a published model does for its users: scores and labels for raw inputs. A checkpoint holds
 * exactly what a predictor needs (never a learner's working state), so a downstream service can
 * serve any kind of model through this one interface.
 */
public interface Predictor {

    /** The checkpoint payload kind; the {@link PredictorCodec} of the same kind reads and writes it. */
    String kind();

    /** Raw class scores, one row per input and one column per entry of {@link #classes()}. */
    INDArray scores(INDArray inputs);

    /** Predicted labels, one per input row. */
    int[] predict(INDArray inputs);

    /** The labels, in column order of {@link #scores}. */
    int[] classes();
}
