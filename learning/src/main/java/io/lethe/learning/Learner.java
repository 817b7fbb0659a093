package io.lethe.learning;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model that learns from labelled batches and can be asked to forget them. {@code unlearn} mirrors
 * {@code learn}: unlearning a batch that was learned removes its influence (exactly, or as well as
 * the implementation documents). Implementations never mutate the arrays they are given.
 */
public interface Learner {

    /** Adds the batch's influence to the model. */
    void learn(LabeledBatch batch);

    /** Removes the influence of a batch that was learned earlier, and says how (see {@link UnlearningResult}). */
    UnlearningResult unlearn(LabeledBatch batch);

    /** Raw class scores, one row per input and one column per entry of {@link #classes()}. */
    INDArray scores(INDArray inputs);

    /** Predicted labels, one per input row. */
    int[] predict(INDArray inputs);

    /** The labels the model has seen, in column order of {@link #scores}. */
    int[] classes();

    /** Examples currently contained in the model (learned minus unlearned). */
    long retainedExamples();

    /** Configuration that determines the model's behaviour, for lineage. */
    Map<String, String> config();

    /** Writes the complete working state, so that {@link #readState} restores an identical learner. */
    void writeState(DataOutputStream out) throws IOException;

    /** Replaces this learner's state by one written with {@link #writeState}. */
    void readState(DataInputStream in) throws IOException;
}
