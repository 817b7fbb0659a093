package io.lethe.learning.gradient;

import io.lethe.learning.Argmax;
import io.lethe.learning.Predictor;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained network's prediction: its configuration and parameters, without the optimizer state,
 * replay buffer or counters that stay in the learner's snapshots.
 */
public final class NetworkPredictor implements Predictor {

    /** The checkpoint payload kind of a DL4J network (MLP or CNN). */
    public static final String KIND = "dl4j-network";

    private final MultiLayerNetwork network;
    private final int outputs;

    /** Wraps a network; the caller hands it over and no longer changes it. */
    public NetworkPredictor(MultiLayerNetwork network) {
        this.network = network;
        this.outputs = (int) network.getOutputLayer().getParam("b").length();
    }

    @Override
    public String kind() {
        return KIND;
    }

    MultiLayerNetwork network() {
        return network;
    }

    @Override
    public synchronized INDArray scores(INDArray inputs) {
        return network.output(inputs.castTo(DataType.FLOAT).dup(), false).castTo(DataType.DOUBLE);
    }

    @Override
    public int[] predict(INDArray inputs) {
        return Argmax.rows(scores(inputs));
    }

    @Override
    public int[] classes() {
        return IntStream.range(0, outputs).toArray();
    }
}
