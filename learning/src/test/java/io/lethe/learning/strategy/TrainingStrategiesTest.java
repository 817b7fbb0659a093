package io.lethe.learning.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.lethe.learning.strategy.StrategyFixtures.LR;
import static io.lethe.learning.strategy.StrategyFixtures.distance;
import static io.lethe.learning.strategy.StrategyFixtures.flat;
import static io.lethe.learning.strategy.StrategyFixtures.learner;
import static io.lethe.learning.strategy.StrategyFixtures.params;
import static io.lethe.learning.strategy.StrategyFixtures.task;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Each strategy's defining property, on a small MLP and two "tasks" of Gaussian blobs. */
class TrainingStrategiesTest {

    @Test
    void l2KeepsTheNextTaskNearerTheLastTasksWeights() {
        StrategyLearner withL2 = learner(ParameterRegularisation.l2(0.5));
        StrategyLearner plain = learner(new ParameterRegularisation(ParameterRegularisation.Kind.L2, 0, 1));
        LabeledBatch first = task(0, 64, 1);
        for (StrategyLearner l : new StrategyLearner[] {withL2, plain}) {
            l.learn(first);
            l.taskStarted(1);
        }
        assertArrayEquals(flat(plain), flat(withL2), "no pull before a task has ended");
        Map<String, INDArray> anchor = params(withL2);
        LabeledBatch second = task(1, 32, 2);
        for (int step = 0; step < 20; step++) {
            withL2.learn(second);
            plain.learn(second);
        }
        assertTrue(distance(params(withL2), anchor) < distance(params(plain), anchor),
                "L2 stays nearer the anchor: " + distance(params(withL2), anchor) + " vs " + distance(params(plain), anchor));
    }

    @Test
    void theL2PenaltyStepIsTheGradientOfTheQuadraticAtThetaT() {
        ParameterRegularisation l2 = ParameterRegularisation.l2(0.5);
        StrategyLearner learner = learner(l2);
        learner.learn(task(0, 64, 1));
        learner.taskStarted(1);
        NetworkParameters network = new NetworkParameters(learner.network());
        Map<String, INDArray> anchor = l2.anchor();
        // Move the weights off the anchor by a known amount, then apply the hook alone (no data step).
        network.params().values().forEach((name, v) -> v.addi(0.25));
        Map<String, INDArray> before = TensorMaps.copy(network.params().values());
        l2.afterStep(network, before, LR, null, 0);
        network.params().values().forEach((name, v) -> {
            INDArray expected = before.get(name).sub(before.get(name).sub(anchor.get(name)).mul(LR * 0.5));
            assertTrue(v.sub(expected).amaxNumber().doubleValue() < 1e-6, name);
        });
    }

    @Test
    void ewcWeighsThePullByTheFisherDiagonal() {
        ParameterRegularisation ewc = ParameterRegularisation.ewc(100);
        StrategyLearner learner = learner(ewc);
        for (int i = 0; i < 4; i++) {
            learner.learn(task(0, 32, 10 + i));
        }
        learner.taskStarted(1);
        Map<String, INDArray> importance = ewc.importance();
        assertTrue(importance.get("2_W").sumNumber().doubleValue() > 0, "output weights matter to task 0");
        // The pull on every output weight is min(lr lambda F_i, 1) (theta_i - anchor_i), entry by entry.
        NetworkParameters network = new NetworkParameters(learner.network());
        Map<String, INDArray> anchor = ewc.anchor();
        network.params().values().forEach((name, v) -> v.addi(0.5));
        Map<String, INDArray> before = TensorMaps.copy(network.params().values());
        ewc.afterStep(network, before, LR, null, 0);
        INDArray out = network.params().values().get("2_W");
        INDArray fisher = importance.get("2_W");
        for (int row = 0; row < out.rows(); row++) {
            for (int column = 0; column < out.columns(); column++) {
                double factor = Math.min(LR * 100 * fisher.getDouble(row, column), 1); // capped: never past the anchor
                double expected = before.get("2_W").getDouble(row, column) - factor
                        * (before.get("2_W").getDouble(row, column) - anchor.get("2_W").getDouble(row, column));
                assertEquals(expected, out.getDouble(row, column), 1e-5);
            }
        }
        assertTrue(fisher.minNumber().doubleValue() >= 0, "a Fisher diagonal is never negative");
        assertTrue(fisher.maxNumber().doubleValue() > fisher.minNumber().doubleValue(), "and not uniform");
    }

    @Test
    void halfFineTuningFreezesExactlyHalfOfEveryTensorAndDrawsANewHalfPerTask() {
        HalfFineTuning hft = new HalfFineTuning(5);
        StrategyLearner learner = learner(hft);
        NetworkParameters network = new NetworkParameters(learner.network());
        Map<String, INDArray> masks0 = TensorMaps.copy(hft.frozen(network));
        Map<String, INDArray> before = params(learner);
        learner.learn(task(0, 64, 1));
        Map<String, INDArray> after = params(learner);
        for (String name : before.keySet()) {
            INDArray mask = masks0.get(name);
            assertEquals(mask.length() / 2, mask.sumNumber().longValue(), name + ": half frozen");
            INDArray frozenChange = after.get(name).sub(before.get(name)).muli(mask);
            assertEquals(0.0, frozenChange.amaxNumber().doubleValue(), 0.0, name + ": the frozen half is unchanged");
        }
        assertTrue(after.get("0_W").sub(before.get("0_W")).amaxNumber().doubleValue() > 0, "the other half learns");
        learner.taskStarted(1);
        assertNotEquals(masks0.get("0_W"), hft.frozen(network).get("0_W"), "a new half for the next task");
    }

    @Test
    void refreshUnlearnsTheBatchALittleBeforeLearningIt() {
        RefreshLearning refresh = new RefreshLearning(0.05, 0, 3);
        StrategyLearner learner = learner(refresh);
        LabeledBatch batch = task(0, 64, 1);
        for (int i = 0; i < 10; i++) {
            learner.learn(batch);
        }
        NetworkParameters network = new NetworkParameters(learner.network());
        double loss = mean(network.losses(batch.inputs(), batch.labels()));
        refresh.beforeStep(network, batch, batch.size());
        assertTrue(mean(network.losses(batch.inputs(), batch.labels())) > loss, "the ascent raised the batch's loss");
    }

    @Test
    void strategiesSnapshotAndRestoreTheirState() throws Exception {
        ParameterRegularisation ewc = ParameterRegularisation.ewc(10);
        StrategyLearner learner = learner(ewc);
        learner.learn(task(0, 32, 1));
        learner.taskStarted(1);
        learner.learn(task(1, 32, 2));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        learner.writeState(new DataOutputStream(bytes));
        ParameterRegularisation copy = ParameterRegularisation.ewc(10);
        StrategyLearner restored = learner(copy);
        restored.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertArrayEquals(flat(learner), flat(restored));
        assertEquals(ewc.memoryBytes(), copy.memoryBytes());
        LabeledBatch next = task(1, 32, 3);
        learner.learn(next);
        restored.learn(next);
        assertArrayEquals(flat(learner), flat(restored), "they continue identically");
    }

    @Test
    void theReplayTrainerTellsTheStrategyWhenATaskEnds() {
        ParameterRegularisation l2 = ParameterRegularisation.l2(1);
        io.lethe.learning.replay.ReplayTrainer trainer = new io.lethe.learning.replay.RehearsalConfig("uniform", 0.5, 8, 64, 1L << 30, "reservoir", 0, 1)
                .trainer(learner(l2));
        for (int t = 0; t < 2; t++) {
            LabeledBatch data = task(t, 16, t);
            java.util.List<io.lethe.learning.replay.ReplayItem<float[]>> batch = new java.util.ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                batch.add(io.lethe.learning.replay.ReplayTrainer.item("t" + t + "-" + i, "s", t, data.labels()[i],
                        data.inputs().getRow(i).toFloatVector()));
            }
            trainer.learn(batch);
            assertEquals(t == 1, l2.anchor() != null, "the anchor is taken when task 1's first batch arrives");
        }
    }

    @Test
    void kFpfFineTunesOnlyTheForgettingProneModulesOnTheBufferEveryPeriod() {
        ForgettingProneFineTuning fpf = new ForgettingProneFineTuning(4, 3, 16, 0.1,
                ForgettingProneFineTuning.OUTPUT_AND_LAST_HIDDEN, 2);
        StrategyLearner learner = learner(fpf);
        // A buffer kept but never replayed at a step (budget 0), as k-FPF runs.
        io.lethe.learning.replay.ReplayTrainer trainer = new io.lethe.learning.replay.RehearsalConfig("uniform", 0.5, 0, 64,
                1L << 30, "reservoir", 0, 1).trainer(learner);
        fpf.useBuffer(trainer.buffer());
        LabeledBatch data = task(0, 48, 4);
        java.util.List<io.lethe.learning.replay.ReplayItem<float[]>> items = new java.util.ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            items.add(io.lethe.learning.replay.ReplayTrainer.item("e" + i, "s", 0, data.labels()[i],
                    data.inputs().getRow(i).toFloatVector()));
        }
        for (int step = 0; step < 3; step++) {
            trainer.learn(items.subList(step * 16, step * 16 + 16));
        }
        assertEquals(0, trainer.replayedExamples(), "nothing is replayed at a step");
        assertEquals(0, fpf.fineTunings(), "not before the period");
        // The fine-tuning alone, from the same point: the first layer is untouched, the others move.
        Map<String, INDArray> before = params(learner);
        fpf.fineTune(new NetworkParameters(learner.network()));
        Map<String, INDArray> after = params(learner);
        assertArrayEquals(before.get("0_W").dup().data().asFloat(), after.get("0_W").dup().data().asFloat());
        assertArrayEquals(before.get("0_b").dup().data().asFloat(), after.get("0_b").dup().data().asFloat());
        assertTrue(after.get("2_W").sub(before.get("2_W")).amaxNumber().doubleValue() > 0, "the output layer moves");
        assertTrue(after.get("1_W").sub(before.get("1_W")).amaxNumber().doubleValue() > 0, "the last hidden layer moves");
        trainer.learn(items.subList(0, 16)); // the 4th step: a fine-tuning round of its own
        assertEquals(2, fpf.fineTunings());
    }

    private static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElseThrow();
    }
}
