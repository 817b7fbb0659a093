package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import java.util.Arrays;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss-based membership-inference attack whose threshold is fitted on shadow data held out from
 * what it judges: members are retained training examples, non-members are test images, neither of
 * them in the forget set. An example whose loss (-log p of its true label) lies above the threshold
 * is called a non-member. The global attack uses one threshold; the per-class attack one per class,
 * fitted on that class's shadow examples, falling back to the global threshold for a class with too
 * few of either (a class forgotten whole has no retained members).
 */
public final class LossMembershipAttack {

    /** Shadow examples of each side a class needs before it gets its own threshold. */
    static final int MIN_PER_CLASS = 20;

    private final double global;
    private final double[] perClass;

    private LossMembershipAttack(double global, double[] perClass) {
        this.global = global;
        this.perClass = perClass;
    }

    /** Fits both thresholds on the model's losses on the shadow members and non-members. */
    public static LossMembershipAttack fit(Function<INDArray, INDArray> probabilities, int classes, LabeledBatch members,
                                           LabeledBatch nonMembers) {
        double[] memberLoss = losses(probabilities, classes, members);
        double[] nonMemberLoss = losses(probabilities, classes, nonMembers);
        double global = threshold(memberLoss, nonMemberLoss);
        double[] perClass = new double[classes];
        for (int c = 0; c < classes; c++) {
            double[] m = ofClass(memberLoss, members.labels(), c);
            double[] n = ofClass(nonMemberLoss, nonMembers.labels(), c);
            perClass[c] = m.length >= MIN_PER_CLASS && n.length >= MIN_PER_CLASS ? threshold(m, n) : global;
        }
        return new LossMembershipAttack(global, perClass);
    }

    /** Percent of the batch the global attack calls non-member. */
    public double nonMemberPercent(Function<INDArray, INDArray> probabilities, int classes, LabeledBatch batch) {
        double[] loss = losses(probabilities, classes, batch);
        return 100.0 * Arrays.stream(loss).filter(l -> l > global).count() / loss.length;
    }

    /** Percent of the batch the per-class attack calls non-member. */
    public double nonMemberPercentPerClass(Function<INDArray, INDArray> probabilities, int classes, LabeledBatch batch) {
        double[] loss = losses(probabilities, classes, batch);
        long called = 0;
        for (int i = 0; i < loss.length; i++) {
            called += loss[i] > perClass[batch.labels()[i]] ? 1 : 0;
        }
        return 100.0 * called / loss.length;
    }

    double globalThreshold() {
        return global;
    }

    /**
     * The loss threshold with the best balanced accuracy on the shadow data: members at or below it,
     * non-members above it.
     */
    static double threshold(double[] memberLoss, double[] nonMemberLoss) {
        double[] negatedMembers = Arrays.stream(memberLoss).map(l -> -l).toArray();
        double[] negatedNonMembers = Arrays.stream(nonMemberLoss).map(l -> -l).toArray();
        // UnlearningMetrics.threshold calls member iff score >= t; with score = -loss that is loss <= -t.
        return -UnlearningMetrics.threshold(negatedMembers, negatedNonMembers);
    }

    static double[] losses(Function<INDArray, INDArray> probabilities, int classes, LabeledBatch batch) {
        float[] p = probabilities.apply(batch.inputs()).castTo(DataType.FLOAT).dup('c').data().asFloat();
        double[] loss = new double[batch.size()];
        for (int i = 0; i < loss.length; i++) {
            loss[i] = -Math.log(Math.max(p[i * classes + batch.labels()[i]], 1e-12));
        }
        return loss;
    }

    private static double[] ofClass(double[] values, int[] labels, int c) {
        return java.util.stream.IntStream.range(0, values.length).filter(i -> labels[i] == c).mapToDouble(i -> values[i])
                .toArray();
    }
}
