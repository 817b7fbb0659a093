package io.lethe.learning.metrics;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;

/** Classification accuracy of a learner on a labelled batch. */
public final class Accuracy {

    private Accuracy() {
    }

    /** Accuracy in percent; NaN for an empty batch. */
    public static double percent(Learner learner, LabeledBatch batch) {
        return batch.size() == 0 ? Double.NaN : percent(learner.predict(batch.inputs()), batch.labels());
    }

    /** Accuracy of a published model in percent; NaN for an empty batch. */
    public static double percent(io.lethe.learning.Predictor model, LabeledBatch batch) {
        return batch.size() == 0 ? Double.NaN : percent(model.predict(batch.inputs()), batch.labels());
    }

    /** Share of predictions equal to the labels, in percent. */
    public static double percent(int[] predicted, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predicted[i] == labels[i]) {
                correct++;
            }
        }
        return 100.0 * correct / labels.length;
    }
}
