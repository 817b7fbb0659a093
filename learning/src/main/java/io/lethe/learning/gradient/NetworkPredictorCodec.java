package io.lethe.learning.gradient;

import io.lethe.learning.Predictor;
import io.lethe.learning.PredictorCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A network as a checkpoint payload: DL4J's own model format without the updater (optimizer)
 * state, which prediction does not need and which stays in the learner's snapshots.
 */
public final class NetworkPredictorCodec implements PredictorCodec {

    /** "LEM1": the first release's network checkpoints, which held the learner's raw state. */
    @Override
    public int releaseOneMagic() {
        return 0x4c454d31;
    }

    @Override
    public String kind() {
        return NetworkPredictor.KIND;
    }

    @Override
    public void write(Predictor predictor, DataOutputStream out) throws IOException {
        if (!(predictor instanceof NetworkPredictor network)) {
            throw new IllegalArgumentException("the " + kind() + " codec writes networks, not " + predictor.kind());
        }
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network.network(), model, false);
        out.writeInt(model.size());
        model.writeTo(out);
        out.flush();
    }

    @Override
    public NetworkPredictor read(DataInputStream in) throws IOException {
        return new NetworkPredictor(readModel(in));
    }

    /**
     * Reads a first-release network checkpoint (the learner's raw state after its magic: retained
     * count, DL4J model with updater) as a predictor.
     */
    @Override
    public NetworkPredictor readReleaseOne(DataInputStream in) throws IOException {
        in.readLong(); // the retained count: learner state, not prediction
        return new NetworkPredictor(readModel(in));
    }

    private static MultiLayerNetwork readModel(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 0 || size > (1 << 30)) {
            throw new IOException("corrupt network checkpoint: model of " + size + " bytes");
        }
        byte[] model = new byte[size];
        in.readFully(model);
        return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model), false);
    }
}
