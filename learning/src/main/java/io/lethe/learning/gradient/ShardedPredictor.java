package io.lethe.learning.gradient;

import io.lethe.learning.Argmax;
import io.lethe.learning.Predictor;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A SISA ensemble's checkpoint: the shards' networks, predicting together by averaging their class
 * probabilities (Bourtoule et al., "Machine Unlearning", IEEE S&P 2021).
 */
public final class ShardedPredictor implements Predictor {

    public static final String KIND = "sharded-network";

    private final List<Predictor> shards;

    public ShardedPredictor(List<? extends Predictor> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one shard");
        }
        this.shards = List.copyOf(shards);
    }

    public List<Predictor> shards() {
        return shards;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public INDArray scores(INDArray inputs) {
        return mean(shards.stream().map(shard -> shard.scores(inputs)).toList());
    }

    /** The element-wise mean of the shards' score matrices: how an ensemble predicts. */
    static INDArray mean(List<INDArray> perShard) {
        INDArray sum = perShard.get(0).dup();
        for (int i = 1; i < perShard.size(); i++) {
            sum.addi(perShard.get(i));
        }
        return sum.divi(perShard.size());
    }

    @Override
    public int[] predict(INDArray inputs) {
        return Argmax.rows(scores(inputs));
    }

    @Override
    public int[] classes() {
        return shards.get(0).classes();
    }
}
