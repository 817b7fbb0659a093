package io.lethe.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The contract every learner passes. Subclasses say how to build a learner and how close
 * "learn then unlearn" must come to "never learned" (zero-ish for exact learners).
 */
public abstract class LearnerContract {

    protected static final int DIM = 64;
    protected static final int CLASSES = 4;

    /** A fresh learner; two calls with the same seed must behave identically. */
    protected abstract Learner newLearner(long seed);

    /** Largest relative score difference allowed between learn+unlearn and never-learned. */
    protected abstract double unlearnTolerance();

    /** Whether unlearning is exact; approximate learners skip the learn-then-unlearn identity. */
    protected boolean exactUnlearning() {
        return true;
    }

    static double relativeDifference(INDArray a, INDArray b) {
        double denominator = Math.max(b.norm2Number().doubleValue(), 1e-12);
        return a.sub(b).norm2Number().doubleValue() / denominator;
    }

    @Test
    void learnThenUnlearnReturnsToNeverLearned() {
        org.junit.jupiter.api.Assumptions.assumeTrue(exactUnlearning(), "unlearning is approximate for this learner");
        LabeledBatch kept = SyntheticData.batch(1, 120, DIM, CLASSES);
        LabeledBatch forgotten = SyntheticData.batch(2, 40, DIM, CLASSES);
        LabeledBatch probe = SyntheticData.batch(3, 30, DIM, CLASSES);

        Learner reference = newLearner(7);
        reference.learn(kept);

        Learner learner = newLearner(7);
        learner.learn(kept);
        learner.learn(forgotten);
        INDArray withForgotten = learner.scores(probe.inputs());
        learner.unlearn(forgotten);

        INDArray expected = reference.scores(probe.inputs());
        double difference = relativeDifference(learner.scores(probe.inputs()), expected);
        assertTrue(difference <= unlearnTolerance(), "learn+unlearn differs from never-learned by " + difference);
        assertTrue(relativeDifference(withForgotten, expected) > unlearnTolerance(),
                "the forgotten batch must have changed the model before unlearning");
        assertEquals(reference.retainedExamples(), learner.retainedExamples());
    }

    @Test
    void unlearningSaysWhatItRemovedAndHow() {
        LabeledBatch kept = SyntheticData.batch(30, 120, DIM, CLASSES);
        LabeledBatch forgotten = SyntheticData.batch(31, 40, DIM, CLASSES);
        Learner learner = newLearner(23);
        learner.learn(kept);
        learner.learn(forgotten);
        long before = learner.retainedExamples();
        UnlearningResult result = learner.unlearn(forgotten);
        assertEquals(forgotten.size(), result.examplesRemoved());
        assertEquals(before - forgotten.size(), learner.retainedExamples(), "unlearning shrinks the retained count");
        assertEquals(exactUnlearning(), result.exact());
        if (result.exact()) {
            assertTrue(result.residual() != null && result.residual() < 1e-9, "an exact learner proves it: " + result);
        } else {
            assertTrue(result.residual() == null, "an approximate learner claims no residual: " + result);
        }
    }

    @Test
    void seededRunsRepeat() {
        LabeledBatch data = SyntheticData.batch(4, 100, DIM, CLASSES);
        LabeledBatch probe = SyntheticData.batch(5, 20, DIM, CLASSES);
        Learner a = newLearner(11);
        Learner b = newLearner(11);
        a.learn(data);
        b.learn(data);
        assertEquals(a.scores(probe.inputs()), b.scores(probe.inputs()));
        assertArrayEquals(a.predict(probe.inputs()), b.predict(probe.inputs()));
    }

    @Test
    void stateRoundTripsThroughSerialization() throws Exception {
        LabeledBatch data = SyntheticData.batch(6, 100, DIM, CLASSES);
        LabeledBatch probe = SyntheticData.batch(8, 20, DIM, CLASSES);
        Learner original = newLearner(13);
        original.learn(data);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        original.writeState(new DataOutputStream(bytes));

        Learner restored = newLearner(13);
        restored.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(original.scores(probe.inputs()), restored.scores(probe.inputs()));
        assertArrayEquals(original.classes(), restored.classes());
        assertEquals(original.retainedExamples(), restored.retainedExamples());

        // Both continue identically after the round trip.
        LabeledBatch more = SyntheticData.batch(9, 30, DIM, CLASSES);
        original.learn(more);
        restored.learn(more);
        assertEquals(original.scores(probe.inputs()), restored.scores(probe.inputs()));
    }

    @Test
    void inputsAreNotMutated() {
        LabeledBatch data = SyntheticData.batch(10, 50, DIM, CLASSES);
        INDArray before = data.inputs().dup();
        int[] labelsBefore = data.labels();
        Learner learner = newLearner(17);
        learner.learn(data);
        learner.scores(data.inputs());
        learner.predict(data.inputs());
        learner.unlearn(data);
        assertEquals(before, data.inputs());
        assertArrayEquals(labelsBefore, data.labels());
    }

    @Test
    void learnsSomethingUseful() {
        LabeledBatch train = SyntheticData.batch(20, 400, DIM, CLASSES);
        LabeledBatch test = SyntheticData.batch(21, 200, DIM, CLASSES);
        Learner learner = newLearner(19);
        learner.learn(train);
        int[] predicted = learner.predict(test.inputs());
        int[] truth = test.labels();
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            correct += predicted[i] == truth[i] ? 1 : 0;
        }
        assertTrue(correct > 0.8 * truth.length, "accuracy " + correct + "/" + truth.length);
    }
}
