package io.lethe.learning.unlearning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.Test;

/**
 * The attack on a "model" whose probabilities are given directly (the input rows are the class
 * probabilities), against thresholds worked out by hand from the losses -log p.
 */
class LossMembershipAttackTest {

    private static final Function<INDArray, INDArray> IDENTITY = inputs -> inputs;

    /** {@code n} examples of the class, each with probability {@code p} on it. */
    private static LabeledBatch examples(int label, double p, int n) {
        double[][] rows = new double[n][2];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i][label] = p;
            rows[i][1 - label] = 1 - p;
            labels[i] = label;
        }
        return new LabeledBatch(Nd4j.create(rows), labels);
    }

    private static LabeledBatch concat(LabeledBatch a, LabeledBatch b) {
        int[] labels = new int[a.size() + b.size()];
        System.arraycopy(a.labels(), 0, labels, 0, a.size());
        System.arraycopy(b.labels(), 0, labels, a.size(), b.size());
        return new LabeledBatch(Nd4j.vstack(a.inputs(), b.inputs()), labels);
    }

    @Test
    void aPerClassThresholdSeparatesWhatOneGlobalThresholdCannot() {
        // Class 0: members p 0.9 (loss 0.105), non-members p 0.6 (0.511).
        // Class 1: members p 0.5 (loss 0.693), non-members p 0.1 (2.303). Class 1's members lose more
        // than class 0's non-members, so no single threshold separates both classes; one per class does.
        LabeledBatch members = concat(examples(0, 0.9, 25), examples(1, 0.5, 25));
        LabeledBatch nonMembers = concat(examples(0, 0.6, 25), examples(1, 0.1, 25));
        LossMembershipAttack attack = LossMembershipAttack.fit(IDENTITY, 2, members, nonMembers);

        LabeledBatch forget = concat(examples(0, 0.6, 10), examples(1, 0.5, 10));
        assertEquals(50.0, attack.nonMemberPercentPerClass(IDENTITY, 2, forget), 1e-9,
                "class 0 at p 0.6 looks like a non-member, class 1 at p 0.5 like a member");
        assertEquals(0.0, attack.nonMemberPercentPerClass(IDENTITY, 2, members), 1e-9,
                "no shadow member is called a non-member by its class's threshold");
        double global = attack.nonMemberPercent(IDENTITY, 2, forget);
        assertTrue(global == 0 || global == 50 || global == 100, "one threshold treats each group alike: " + global);
        assertEquals(100.0, attack.nonMemberPercent(IDENTITY, 2, examples(0, 0.05, 7)), 1e-9,
                "a loss of 3.0 is above any threshold fitted here");
        assertEquals(0.0, attack.nonMemberPercent(IDENTITY, 2, examples(0, 0.99, 7)), 1e-9);
    }

    @Test
    void aClassWithoutShadowMembersFallsBackToTheGlobalThreshold() {
        LabeledBatch members = examples(0, 0.9, 30); // class 1 forgotten whole: no retained member of it
        LabeledBatch nonMembers = concat(examples(0, 0.4, 30), examples(1, 0.4, 30));
        LossMembershipAttack attack = LossMembershipAttack.fit(IDENTITY, 2, members, nonMembers);
        LabeledBatch forget = examples(1, 0.7, 5); // loss 0.357, between class 0's members (0.105) and non-members (0.916)
        assertEquals(attack.nonMemberPercent(IDENTITY, 2, forget), attack.nonMemberPercentPerClass(IDENTITY, 2, forget), 1e-9);
        double t = attack.globalThreshold();
        assertTrue(t >= 0.105 && t < 0.916, "the global threshold lies between the two sides: " + t);
    }
}
