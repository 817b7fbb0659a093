package io.lethe.learning.experiment;

import io.lethe.learning.Argmax;
import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.metrics.Accuracy;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SISA (Bourtoule et al. 2021) as the stream runs it, for the unlearning table: K networks, each
 * trained on the examples hashed to it, predicting by averaging their probabilities. Exact by
 * construction: forgetting retrains, from scratch, only the shards that held forgotten examples.
 */
final class SisaEnsemble {

    /** The ensemble after a forgetting: its shards, how many were retrained, and the seconds that took. */
    record Forgotten(NetworkLearner[] shards, int retrained, double seconds) {
        INDArray probabilities(INDArray inputs) {
            INDArray sum = null;
            for (NetworkLearner shard : shards) {
                INDArray p = shard.network().output(inputs.castTo(DataType.FLOAT), false);
                sum = sum == null ? p.dup() : sum.addi(p);
            }
            return sum.divi(shards.length);
        }

        double accuracy(LabeledBatch batch) {
            return Accuracy.percent(Argmax.rows(probabilities(batch.inputs())), batch.labels());
        }
    }

    private final int[] shardOf;
    private final NetworkLearner[] shards;
    private final Function<int[], NetworkLearner> train;

    /** Trains {@code count} shards over {@code examples} examples with {@code train} (a fresh network on those indices). */
    SisaEnsemble(int count, int examples, long seed, Function<int[], NetworkLearner> train) {
        this.train = train;
        this.shardOf = new int[examples];
        this.shards = new NetworkLearner[count];
        for (int i = 0; i < shardOf.length; i++) {
            long h = (i + 1) * 0x9E3779B97F4A7C15L ^ seed;
            h ^= h >>> 31;
            shardOf[i] = (int) Math.floorMod(h, (long) count);
        }
        for (int s = 0; s < count; s++) {
            shards[s] = train.apply(members(s, new boolean[examples]));
        }
    }

    private int[] members(int shard, boolean[] forgotten) {
        return IntStream.range(0, shardOf.length).filter(i -> shardOf[i] == shard && !forgotten[i]).toArray();
    }

    /** The ensemble after forgetting: affected shards retrained, the others as they were. */
    Forgotten forget(boolean[] forgotten) {
        NetworkLearner[] after = shards.clone();
        int retrained = 0;
        long started = System.nanoTime();
        for (int s = 0; s < shards.length; s++) {
            int shard = s;
            if (IntStream.range(0, shardOf.length).anyMatch(i -> forgotten[i] && shardOf[i] == shard)) {
                after[s] = train.apply(members(s, forgotten));
                retrained++;
            }
        }
        return new Forgotten(after, retrained, (System.nanoTime() - started) / 1e9);
    }
}
