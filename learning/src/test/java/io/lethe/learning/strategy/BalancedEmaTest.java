package io.lethe.learning.strategy;

import static io.lethe.learning.strategy.StrategyFixtures.learner;
import static io.lethe.learning.strategy.StrategyFixtures.params;
import static io.lethe.learning.strategy.StrategyFixtures.task;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BalancedEmaTest {

    @Test
    void theBalancedCoefficientIsTwoTimesOnePlusTheSlopeOverDistanceTimesCurvature() {
        INDArray theta = Nd4j.createFromArray(3f, 3f);
        INDArray average = Nd4j.createFromArray(0f, 0f);
        INDArray gradient = Nd4j.createFromArray(1f, 1f);
        INDArray previous = Nd4j.createFromArray(-1f, -1f);
        // |theta - avg|_1 = 6, |g|_1 = 2, |g - g_prev|_1 = 4: alpha = 2 (1 + 2) / (6 * 4) = 0.25
        assertEquals(0.25, BalancedEma.coefficient(theta, average, gradient, previous), 1e-12);
        // Outside (0, 1), or with no earlier gradient, or undefined (distance 0): the paper's 0.01.
        assertEquals(BalancedEma.FALLBACK, BalancedEma.coefficient(Nd4j.createFromArray(0.5f, 0f), average, gradient,
                previous), 1e-12);
        assertEquals(BalancedEma.FALLBACK, BalancedEma.coefficient(theta, average, gradient, null), 1e-12);
        assertEquals(BalancedEma.FALLBACK, BalancedEma.coefficient(average, average, gradient, previous), 1e-12);
    }

    @Test
    void theAverageTrailsTheWeightsAndReplacesThemWhenTheTaskIsOver() {
        BalancedEma ema = new BalancedEma();
        StrategyLearner learner = learner(ema);
        Map<String, INDArray> start = params(learner);
        LabeledBatch data = task(0, 32, 5);
        for (int step = 0; step < 20; step++) {
            learner.learn(data);
        }
        Map<String, INDArray> trained = params(learner);
        learner.endOfTask(false);
        Map<String, INDArray> averaged = params(learner);
        for (String name : start.keySet()) {
            double moved = trained.get(name).sub(start.get(name)).norm2Number().doubleValue();
            double towards = averaged.get(name).sub(start.get(name)).norm2Number().doubleValue();
            assertTrue(towards < moved, name + ": the average lags the weights (" + towards + " vs " + moved + ")");
        }
        assertTrue(ema.balancedShare() >= 0 && ema.balancedShare() <= 1);
        assertTrue(ema.memoryBytes() > 0);
        float[] before = learner.network().network().params().dup().data().asFloat();
        learner.taskStarted(1);
        assertArrayEquals(before, learner.network().network().params().dup().data().asFloat(),
                "the end was announced once; the next task's start does not swap again");
    }
}
