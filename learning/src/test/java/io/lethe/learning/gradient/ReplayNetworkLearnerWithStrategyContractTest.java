package io.lethe.learning.gradient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.SyntheticData;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.learning.strategy.TrainingStrategies;
import io.lethe.learning.unlearning.UnlearningMethod;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replay learner with a training strategy passes the same contract, and the strategy's state
 * travels with its snapshot: EWC (an anchor and a Fisher) here, the others in subclasses.
 */
class ReplayNetworkLearnerWithStrategyContractTest extends ApproximateLearnerContract {

    /** The strategy under test. */
    protected String strategy() {
        return "ewc";
    }

    @Override
    protected Learner newLearner(long seed) {
        return learner(seed, strategy());
    }

    private static ReplayNetworkLearner learner(long seed, String strategy) {
        return new ReplayNetworkLearner(new NetworkLearner(DIM, 32, CLASSES, 0.05, 20, seed),
                new RehearsalConfig("uniform", 0.5, 16, 300, 1 << 24, "reservoir", 0, seed),
                UnlearningMethod.forNetwork("sfr-on", NetworkLearner.Architecture.MLP), seed,
                TrainingStrategies.named(strategy, seed));
    }

    private static List<ReplayItem<float[]>> items(LabeledBatch batch, int task, String prefix) {
        List<ReplayItem<float[]>> items = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            items.add(ReplayTrainer.item(prefix + i, "s" + i, task, batch.labels()[i], batch.inputs().getRow(i).toFloatVector()));
        }
        return items;
    }

    @Test
    void theStrategysStateTravelsWithTheSnapshotAndTheRunContinuesIdentically() throws Exception {
        ReplayNetworkLearner live = learner(4, strategy());
        live.learn(items(SyntheticData.batch(70, 60, DIM, CLASSES), 0, "a"), true);
        live.learn(items(SyntheticData.batch(71, 60, DIM, CLASSES), 1, "b"), true); // task 1: a strategy's task-end state
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        live.writeState(new DataOutputStream(snapshot));
        ReplayNetworkLearner restored = learner(4, strategy());
        restored.readState(new DataInputStream(new ByteArrayInputStream(snapshot.toByteArray())));
        List<ReplayItem<float[]>> next = items(SyntheticData.batch(72, 30, DIM, CLASSES), 1, "c");
        live.learn(next, true);
        restored.learn(next, true);
        assertArrayEquals(live.network().network().params().dup().data().asFloat(),
                restored.network().network().params().dup().data().asFloat());
        assertEquals(strategy(), live.config().get("strategy.name"));
        ReplayNetworkLearner without = learner(4, "none");
        assertThrows(java.io.IOException.class, () -> without.readState(new DataInputStream(
                new ByteArrayInputStream(snapshot.toByteArray()))), "a strategy's state needs the same strategy");
    }
}
