package io.lethe.learning.strategy;

import static io.lethe.learning.strategy.StrategyFixtures.learner;
import static io.lethe.learning.strategy.StrategyFixtures.task;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GeneralSamplesReplayTest {

    @Test
    void theMarginLossChargesOnlyActivationsThatLeaveTheirRecordedSide() {
        INDArray lower = Nd4j.createFromArray(new float[] {0f, 0f, 0f});
        INDArray upper = Nd4j.createFromArray(new float[] {1f, 1f, 1f});
        // Recorded below, above and between the thresholds; now 0.5, 0.5 and 1.5.
        INDArray recorded = Nd4j.createFromArray(new float[][] {{-1f, 2f, 0.5f}});
        INDArray h = Nd4j.createFromArray(new float[][] {{0.5f, 0.5f, 1.5f}});
        INDArray[] result = GeneralSamplesReplay.marginLoss(h, recorded, lower, upper);
        // Each pays 0.5: relu(0.5 - 0), relu(1 - 0.5), relu(1.5 - 1); averaged over the 3 that pay.
        assertEquals(0.5, result[0].getDouble(0), 1e-6);
        assertArrayEquals(new float[] {1f / 3, -1f / 3, 1f / 3}, result[1].dup().data().asFloat(), 1e-6f);
        INDArray inside = Nd4j.createFromArray(new float[][] {{-0.5f, 1.5f, 0.7f}});
        INDArray[] none = GeneralSamplesReplay.marginLoss(inside, recorded, lower, upper);
        assertEquals(0.0, none[0].getDouble(0), 0.0, "activations on their recorded side pay nothing");
        assertEquals(0.0, none[1].amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void theGeneralSetIsTheStreamsFirstExamplesRecordedWhenTheFirstTaskIsOver() throws Exception {
        GeneralSamplesReplay gere = new GeneralSamplesReplay(24, 8, true, Double.NaN, 3);
        StrategyLearner learner = learner(gere);
        LabeledBatch first = task(0, 16, 1);
        learner.learn(first);
        learner.learn(task(0, 16, 2));
        assertFalse(gere.recordedActivations(), "nothing recorded while the first task runs");
        learner.endOfTask(false);
        assertTrue(gere.recordedActivations());
        learner.taskStarted(1);
        learner.learn(task(1, 16, 3));
        assertEquals(0.0, gere.lastMarginLoss(), 0.0, "right after recording, every activation is on its side");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        learner.writeState(new DataOutputStream(bytes));
        GeneralSamplesReplay copy = new GeneralSamplesReplay(24, 8, true, Double.NaN, 3);
        StrategyLearner restored = learner(copy);
        restored.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        LabeledBatch next = task(1, 16, 4);
        learner.learn(next);
        restored.learn(next);
        assertArrayEquals(StrategyFixtures.flat(learner), StrategyFixtures.flat(restored), "they continue identically");
        assertEquals(gere.memoryBytes(), copy.memoryBytes());
    }

    @Test
    void theMarginHoldsTheGeneralSamplesRepresentationBetterThanLabelReplayAlone() {
        double[] loss = new double[2];
        for (int variant = 0; variant < 2; variant++) {
            GeneralSamplesReplay gere = new GeneralSamplesReplay(32, 16, variant == 0, Double.NaN, 5);
            StrategyLearner learner = learner(gere);
            for (int step = 0; step < 8; step++) {
                learner.learn(task(0, 16, 10 + step));
            }
            learner.endOfTask(false);
            learner.taskStarted(1);
            for (int step = 0; step < 40; step++) {
                learner.learn(task(1, 16, 100 + step));
            }
            loss[variant] = gere.marginLossNow(new NetworkParameters(learner.network()));
        }
        assertTrue(loss[0] < loss[1], "margin loss on the general set: with the margin " + loss[0] + ", labels only "
                + loss[1]);
    }
}
