package io.lethe.learning.gradient;

import io.lethe.learning.Predictor;
import io.lethe.learning.PredictorCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A SISA ensemble as a checkpoint payload: the shard count, then each shard as a network payload. */
public final class ShardedPredictorCodec implements PredictorCodec {

    private static final int MAX_SHARDS = 1024;
    private final NetworkPredictorCodec networks = new NetworkPredictorCodec();

    @Override
    public String kind() {
        return ShardedPredictor.KIND;
    }

    @Override
    public void write(Predictor predictor, DataOutputStream out) throws IOException {
        if (!(predictor instanceof ShardedPredictor ensemble)) {
            throw new IllegalArgumentException("the " + kind() + " codec writes ensembles, not " + predictor.kind());
        }
        out.writeInt(ensemble.shards().size());
        for (Predictor shard : ensemble.shards()) {
            networks.write(shard, out);
        }
        out.flush();
    }

    @Override
    public ShardedPredictor read(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 1 || count > MAX_SHARDS) {
            throw new IOException("corrupt ensemble checkpoint: " + count + " shards");
        }
        List<Predictor> shards = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            shards.add(networks.read(in));
        }
        return new ShardedPredictor(shards);
    }
}
