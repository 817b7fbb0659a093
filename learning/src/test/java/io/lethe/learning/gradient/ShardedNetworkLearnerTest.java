package io.lethe.learning.gradient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.SyntheticData;
import io.lethe.learning.UnlearningResult;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.learning.unlearning.UnlearningMethod;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SISA's defining property: erasing a subject retrains only its shard, and the ensemble is then,
 * bit for bit, the one trained from scratch without the subject's data.
 */
class ShardedNetworkLearnerTest {

    private static final int DIM = 32;
    private static final int SHARDS = 3;
    private static final int BATCH = 8;

    private static final IntFunction<ReplayNetworkLearner> FRESH = i -> new ReplayNetworkLearner(
            new NetworkLearner(DIM, 16, 4, 0.1, 1, 100 + i),
            new RehearsalConfig("uniform", 0.5, 4, 30, 1 << 24, "reservoir", 0, 7 + i), UnlearningMethod.named("fine-tune"),
            50 + i);

    private final List<ReplayItem<float[]>> data = items(SyntheticData.batch(3, 240, DIM, 4));

    private static List<ReplayItem<float[]>> items(LabeledBatch batch) {
        float[][] rows = batch.inputs().toFloatMatrix();
        List<ReplayItem<float[]>> out = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            String subject = "person-" + (i % 12);
            out.add(ReplayTrainer.item(subject + "\u0000" + i, subject, 0, batch.labels()[i], rows[i]));
        }
        return out;
    }

    /** The stream's way: chunks of 16, whatever the shards. */
    private static ShardedNetworkLearner trained(List<ReplayItem<float[]>> items) {
        ShardedNetworkLearner learner = new ShardedNetworkLearner(SHARDS, BATCH, FRESH);
        for (int from = 0; from < items.size(); from += 16) {
            learner.learn(items.subList(from, Math.min(items.size(), from + 16)), true);
        }
        return learner;
    }

    private static byte[] state(Object learner) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (learner instanceof ShardedNetworkLearner s) {
            s.writeContent(new DataOutputStream(bytes));
        } else {
            ((ReplayNetworkLearner) learner).writeContent(new DataOutputStream(bytes));
        }
        return bytes.toByteArray();
    }

    @Test
    void anErasureRetrainsOnlyItsShardAndEqualsTrainingWithoutTheSubject() throws IOException {
        ShardedNetworkLearner live = trained(data);
        live.flush(true);
        String erased = "person-5";
        int affected = ShardedNetworkLearner.shardOf(erased, SHARDS);
        List<byte[]> before = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            before.add(state(live.shard(i)));
        }
        List<ReplayItem<float[]>> kept = data.stream().filter(item -> !item.subjectId().equals(erased)).toList();

        UnlearningResult result = live.unlearnSubjects(List.of(erased), 20, i -> ShardedNetworkLearner.trainShard(
                FRESH.apply(i), kept.stream().filter(item -> ShardedNetworkLearner.shardOf(item.subjectId(), SHARDS) == i)
                        .toList(), BATCH));

        assertTrue(result.exact());
        assertEquals(1.0, result.metrics().get("shards_retrained"));
        for (int i = 0; i < SHARDS; i++) {
            if (i != affected) {
                assertArrayEquals(before.get(i), state(live.shard(i)), "shard " + i + " held no data of the subject");
            }
        }
        ShardedNetworkLearner scratch = trained(kept);
        scratch.flush(true);
        assertArrayEquals(state(scratch), state(live), "the ensemble never trained on the subject, bit for bit");
        assertEquals(kept.size(), live.retainedExamples());
    }

    @Test
    void theEnsemblePredictsTheAverageOfItsShardsAndItsCheckpointAgrees() throws IOException {
        ShardedNetworkLearner learner = trained(data);
        learner.flush(true);
        INDArray probe = SyntheticData.batch(9, 20, DIM, 4).inputs();
        INDArray mean = learner.shard(0).scores(probe).add(learner.shard(1).scores(probe)).add(learner.shard(2).scores(probe))
                .div(3);
        assertEquals(mean, learner.scores(probe));

        ShardedPredictorCodec codec = new ShardedPredictorCodec();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        codec.write(learner.predictor(), new DataOutputStream(bytes));
        ShardedPredictor read = codec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertArrayEquals(learner.predict(probe), read.predict(probe));
        assertEquals(ShardedPredictor.KIND, read.kind());
    }

    @Test
    void stateRoundTripsWithItemsWaitingForTheirBatch() throws IOException {
        ShardedNetworkLearner learner = trained(data.subList(0, 101)); // some shards hold a partial batch
        ShardedNetworkLearner restored = new ShardedNetworkLearner(SHARDS, BATCH, FRESH);
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        learner.writeState(new DataOutputStream(saved));
        restored.readState(new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
        learner.learn(data.subList(101, 240), true);
        restored.learn(data.subList(101, 240), true);
        assertArrayEquals(state(learner), state(restored));
    }
}
