package io.lethe.learning.gradient;

import io.lethe.learning.Learner;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A learner that trains one {@link NetworkLearner} in its own way (replay, a training strategy) and
 * predicts and counts exactly as that network does.
 */
public interface NetworkBacked extends Learner {

    /** The network this learner trains. */
    NetworkLearner network();

    @Override
    default INDArray scores(INDArray inputs) {
        return network().scores(inputs);
    }

    @Override
    default int[] predict(INDArray inputs) {
        return network().predict(inputs);
    }

    @Override
    default int[] classes() {
        return network().classes();
    }

    @Override
    default long retainedExamples() {
        return network().retainedExamples();
    }
}
