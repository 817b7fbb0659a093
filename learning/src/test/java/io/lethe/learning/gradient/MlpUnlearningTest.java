package io.lethe.learning.gradient;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.SyntheticData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradient-ascent unlearning lowers the model's confidence in the forgotten examples' labels. */
class MlpUnlearningTest {

    private static double meanTrueLabelProbability(NetworkLearner learner, LabeledBatch batch) {
        INDArray scores = learner.scores(batch.inputs());
        int[] labels = batch.labels();
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum += scores.getDouble(i, labels[i]);
        }
        return sum / labels.length;
    }

    @Test
    void unlearningLowersConfidenceOnTheForgottenBatchOnly() {
        LabeledBatch kept = SyntheticData.batch(1, 200, 64, 4);
        LabeledBatch forgotten = SyntheticData.batch(2, 40, 64, 4);
        NetworkLearner learner = new NetworkLearner(64, 32, 4, 0.05, 30, 3);
        learner.learn(kept);
        learner.learn(forgotten);
        double before = meanTrueLabelProbability(learner, forgotten);
        learner.unlearn(forgotten);
        double after = meanTrueLabelProbability(learner, forgotten);
        assertTrue(after < before, "confidence on the forgotten batch " + before + " -> " + after);
        assertTrue(learner.retainedExamples() == 200);
    }
}
