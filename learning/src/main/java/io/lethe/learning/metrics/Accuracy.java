package io.lethe.learning.metrics;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;

/** Classification accuracy of a learner on a labelled batch. */
public final class Accuracy {

    private Accuracy() {
    }

    /** Accuracy in percent; NaN for an empty batch. */
    public static double percent(Learner learner, LabeledBatch batch) {
        if (batch.size() == 0) {
            return Double.NaN;
        }
        int[] predicted = learner.predict(batch.inputs());
        int[] labels = batch.labels();
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predicted[i] == labels[i]) {
                correct++;
            }
        }
        return 100.0 * correct / labels.length;
    }
}
