package io.lethe.learning.gradient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.SyntheticData;
import io.lethe.learning.UnlearningResult;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.unlearning.UnlearningMethod;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/** The network with its replay buffer, rehearsal schedule and unlearning method, as one learner. */
class ReplayNetworkLearnerContractTest extends ApproximateLearnerContract {

    @Override
    protected Learner newLearner(long seed) {
        return learner(seed);
    }

    private static ReplayNetworkLearner learner(long seed) {
        return new ReplayNetworkLearner(new NetworkLearner(DIM, 32, CLASSES, 0.05, 20, seed),
                new RehearsalConfig("uniform", 0.5, 16, 300, 1 << 24, "reservoir", 0, seed),
                UnlearningMethod.forNetwork("sfr-on", NetworkLearner.Architecture.MLP), seed);
    }

    @Test
    void unlearningTakesTheExamplesOutOfTheBufferAndMeasuresItself() {
        ReplayNetworkLearner learner = learner(3);
        LabeledBatch kept = SyntheticData.batch(50, 120, DIM, CLASSES);
        LabeledBatch forgotten = SyntheticData.batch(51, 30, DIM, CLASSES);
        learner.learn(kept);
        learner.learn(forgotten);
        int before = learner.trainer().buffer().size();
        UnlearningResult result = learner.unlearn(forgotten);
        assertEquals(30.0, result.metrics().get("replay_buffer_removed"), "every forgotten row left the buffer");
        assertEquals(before - 30, learner.trainer().buffer().size());
        assertEquals("sfr-on", result.method());
        assertTrue(result.metrics().containsKey("forget_accuracy_before") && result.metrics().containsKey("forget_accuracy")
                && result.metrics().containsKey("retained_accuracy_replay_buffer"), result.toString());
    }

    @Test
    void unlearningFromARestoredStateRepeatsTheLiveRunBitForBit() throws Exception {
        ReplayNetworkLearner live = learner(5);
        live.learn(SyntheticData.batch(60, 100, DIM, CLASSES));
        LabeledBatch first = SyntheticData.batch(61, 20, DIM, CLASSES);
        live.learn(first);
        live.unlearn(first);
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        live.writeState(new DataOutputStream(snapshot));
        LabeledBatch second = SyntheticData.batch(62, 20, DIM, CLASSES);
        live.learn(second);
        live.unlearn(second);

        ReplayNetworkLearner restored = learner(5); // a fresh learner that never saw the first unlearning
        restored.readState(new DataInputStream(new ByteArrayInputStream(snapshot.toByteArray())));
        restored.learn(second);
        restored.unlearn(second);
        LabeledBatch probe = SyntheticData.batch(63, 30, DIM, CLASSES);
        assertEquals(live.scores(probe.inputs()), restored.scores(probe.inputs()));
        assertArrayEquals(live.predict(probe.inputs()), restored.predict(probe.inputs()));
        assertEquals(live.retainedExamples(), restored.retainedExamples());
    }
}
