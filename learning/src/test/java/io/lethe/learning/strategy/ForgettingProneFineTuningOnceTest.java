package io.lethe.learning.strategy;

import static io.lethe.learning.strategy.StrategyFixtures.items;
import static io.lethe.learning.strategy.StrategyFixtures.learner;
import static io.lethe.learning.strategy.StrategyFixtures.params;
import static io.lethe.learning.strategy.StrategyFixtures.task;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.replay.ReplayTrainer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** FPF (once, at the end) and strategies chained with +. */
class ForgettingProneFineTuningOnceTest {

    @Test
    void fpfFineTunesTheForgettingProneModulesOnceWhenTheLastTaskIsOver() {
        TrainingStrategy chain = TrainingStrategies.named("l2+fpf", 1);
        assertEquals("l2+fpf", chain.name());
        NetworkLearner network = new NetworkLearner(8, 16, 4, StrategyFixtures.LR, 1, 7);
        ReplayTrainer trainer = TrainingStrategies.trainer(new RehearsalConfig("uniform", 0.5, 0, 64, 1L << 30,
                "reservoir", 0, 1), network, chain, StrategyFixtures.LR);
        StrategyLearner learner = (StrategyLearner) trainer.learner();
        for (int t = 0; t < 2; t++) {
            trainer.learn(items(task(t, 32, t), t, "t" + t + "-"));
            Map<String, INDArray> before = params(learner);
            trainer.endOfTask(t == 1);
            Map<String, INDArray> after = params(learner);
            if (t == 0) {
                assertEquals(0, StrategyFixtures.distance(before, after), 0.0, "nothing happens at an earlier task's end");
            } else {
                assertArrayEquals(before.get("0_W").dup().data().asFloat(), after.get("0_W").dup().data().asFloat());
                assertArrayEquals(before.get("0_b").dup().data().asFloat(), after.get("0_b").dup().data().asFloat());
                assertTrue(after.get("2_W").sub(before.get("2_W")).amaxNumber().doubleValue() > 0, "the output layer moves");
                assertTrue(after.get("1_W").sub(before.get("1_W")).amaxNumber().doubleValue() > 0, "the last hidden layer moves");
            }
        }
    }

    @Test
    void fpfNeedsABufferAndChainsNameTheirParts() {
        NetworkLearner network = new NetworkLearner(8, 16, 4, StrategyFixtures.LR, 1, 7);
        assertThrows(IllegalArgumentException.class, () -> TrainingStrategies.trainer(RehearsalConfig.none(1), network,
                TrainingStrategies.named("ewc+fpf", 1), StrategyFixtures.LR));
        assertThrows(IllegalArgumentException.class, () -> TrainingStrategies.named("ewc+none", 1));
        assertThrows(IllegalArgumentException.class, () -> TrainingStrategies.named("ewc+nope", 1));
        assertEquals("0.01", TrainingStrategies.named("l2+distill", 1).config().get("l2.lambda"));
        assertTrue(!TrainingStrategies.STREAM_NAMES.contains("fpf") && TrainingStrategies.NAMES.contains("fpf"),
                "a stream has no last task");
        learner(TrainingStrategies.named("viewbatch+gere", 1)); // composes
    }
}
