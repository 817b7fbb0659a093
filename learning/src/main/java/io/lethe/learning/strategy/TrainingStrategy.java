package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One continual-learning strategy around the network's plain SGD steps. The hooks see the live
 * parameters ({@link NetworkParameters}, writing them changes the model); a strategy keeps its own
 * state (anchors, importances, masks) and writes it with the learner's snapshot.
 */
public interface TrainingStrategy {

    String name();

    /** The strategy's settings, for lineage. */
    Map<String, String> config();

    /**
     * The rows the step trains on, given the step's batch (its first {@code newExamples} rows new,
     * the rest replayed): the batch itself unless the strategy reshapes steps (view-batch replay).
     */
    default LabeledBatch stepBatch(LabeledBatch batch, int newExamples) {
        return batch;
    }

    /** Before a step, with the network at theta_t. */
    default void beforeStep(NetworkParameters network, LabeledBatch batch, int newExamples) {
    }

    /**
     * After a step of learning rate {@code learningRate}: {@code before} holds theta_t, the network
     * holds theta_t+1. A strategy that adds a term to the loss applies its gradient at theta_t here,
     * which with plain SGD is exactly a step on the sum.
     */
    default void afterStep(NetworkParameters network, Map<String, INDArray> before, double learningRate,
                           LabeledBatch batch, int newExamples) {
    }

    /** Whether {@link #afterStep} needs theta_t (a copy of every parameter per step). */
    default boolean needsParametersBeforeStep() {
        return false;
    }

    /** A new task starts; {@code finished} is the one that ended. */
    default void taskEnded(NetworkParameters network, int finished) {
    }

    /** The stream's last task is over (experiments only: a stream has no last task). */
    default void streamEnded(NetworkParameters network) {
    }

    /** Bytes of extra state the strategy keeps (anchors, importances, masks). */
    default long memoryBytes() {
        return 0;
    }

    void writeState(DataOutputStream out) throws IOException;

    void readState(DataInputStream in) throws IOException;
}
