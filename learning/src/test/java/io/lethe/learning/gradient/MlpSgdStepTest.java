package io.lethe.learning.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.SyntheticData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MLP's own SGD step against DL4J's {@code fit} on the same network. In float64, where the two
 * differ only by rounding (no ReLU sits close enough to zero to flip), they must agree to 1e-9 of the
 * step's change, from a trained state (non-zero biases) and on batches of several sizes; a step that
 * updated a layer's weights before back-propagating through them, skipped a bias or scaled the rate
 * differently would be off by about 1e-3 or more.
 */
class MlpSgdStepTest {

    private static final double RATE = 0.05;

    private static double relativeDifference(INDArray a, INDArray b, INDArray start) {
        return a.sub(b).norm2Number().doubleValue() / a.sub(start).norm2Number().doubleValue();
    }

    @Test
    void oneStepEqualsDl4jFitInFloat64() {
        NetworkLearner learner = new NetworkLearner(48, 24, 6, RATE, 1, 7);
        learner.learn(SyntheticData.batch(1, 64, 48, 6)); // leave the initial state: biases become non-zero
        MultiLayerNetwork dl4j = learner.network().convertDataType(DataType.DOUBLE);
        MultiLayerNetwork ours = dl4j.clone();
        MlpSgdStep step = new MlpSgdStep();
        int seed = 2;
        for (int rows : new int[] {64, 64, 7, 1, 64, 33}) {
            LabeledBatch batch = SyntheticData.batch(seed++, rows, 48, 6);
            INDArray x = batch.inputs().castTo(DataType.DOUBLE);
            INDArray y = learner.oneHot(batch.labels()).castTo(DataType.DOUBLE);
            INDArray start = dl4j.params().dup();
            dl4j.fit(x, y);
            step.step(ours, x, y, RATE);
            double difference = relativeDifference(dl4j.params(), ours.params(), start);
            assertTrue(difference < 1e-9,
                    rows + " rows: our step differs from fit by " + difference + " of the change");
            ours.setParams(dl4j.params()); // each step from the same state
        }
        assertEquals(DataType.DOUBLE, ours.params().dataType());
    }

    @Test
    void theLearnerTrainsItsMlpWithTheStepAndLearns() {
        LabeledBatch train = SyntheticData.batch(3, 300, 48, 6);
        NetworkLearner learner = new NetworkLearner(48, 24, 6, RATE, 40, 5);
        INDArray before = learner.network().params().dup();
        MultiLayerNetwork dl4j = learner.network().clone();
        learner.learn(train);
        int[] predicted = learner.predict(train.inputs());
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == train.labels()[i] ? 1 : 0;
        }
        assertTrue(correct > 0.5 * predicted.length,
                "train accuracy (chance 1 in 6) " + correct + " / " + predicted.length);
        // Forty float32 steps of fit from the same start land close by (ReLUs near zero may flip by rounding).
        for (int s = 0; s < 40; s++) {
            dl4j.fit(train.inputs().castTo(DataType.FLOAT), learner.oneHot(train.labels()));
        }
        double difference = relativeDifference(dl4j.params(), learner.network().params(), before);
        assertTrue(difference < 1e-3, "forty steps differ from fit by " + difference + " of the change");

        INDArray trained = learner.network().params().dup();
        learner.learn(new LabeledBatch(org.nd4j.linalg.factory.Nd4j.create(DataType.FLOAT, 0, 48), new int[0]));
        assertEquals(trained, learner.network().params(), "an empty batch changes nothing");
        assertEquals(300, learner.retainedExamples());
    }
}
