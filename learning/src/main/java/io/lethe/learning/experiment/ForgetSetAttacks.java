package io.lethe.learning.experiment;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.learning.unlearning.LossMembershipAttack;
import io.lethe.learning.unlearning.NetworkParameters;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attacks the unlearning table runs against every model, for one forget set: the loss-based
 * membership attack (a threshold fitted on shadow data held out from the forget set), and two
 * relearning attacks (Fan et al.) that fine-tune a copy on a fixed 1 % of the forget set and report
 * UA on the whole of it afterwards. What comes back beyond those examples was hidden, not removed.
 *
 * @param shadowMembers retained examples apart from the ones RA is measured on
 * @param shadowNonMembers test images (the even-numbered ones)
 * @param forget the forget set
 * @param relearnSample the relearning attacks' fixed 1 % of it (at least 10)
 */
record ForgetSetAttacks(LabeledBatch shadowMembers, LabeledBatch shadowNonMembers, LabeledBatch forget,
                        LabeledBatch relearnSample) {

    /** SGD steps of the strong relearning attack, with the network's own learning rate. */
    static final int RELEARN_STEPS = 10;
    /** The weak attack: a few plain SGD steps at a tenth of the network's learning rate. */
    static final int WEAK_RELEARN_STEPS = 5;
    static final double WEAK_RELEARN_RATE = 0.01;

    /** {global, per-class} percent of the forget set the loss attack calls non-member. */
    double[] loss(Function<INDArray, INDArray> probabilities, int classes) {
        LossMembershipAttack attack = LossMembershipAttack.fit(probabilities, classes, shadowMembers, shadowNonMembers);
        return new double[] {attack.nonMemberPercent(probabilities, classes, forget),
            attack.nonMemberPercentPerClass(probabilities, classes, forget)};
    }

    /** UA after {@link #RELEARN_STEPS} steps of the network's own SGD on the 1 %, on a copy. */
    double relearning(NetworkLearner model) {
        NetworkLearner attacked = UnlearningBenchmark.copy(model);
        for (int step = 0; step < RELEARN_STEPS; step++) {
            attacked.learn(relearnSample);
        }
        return 100 - Accuracy.percent(attacked, forget);
    }

    /**
     * UA after {@link #WEAK_RELEARN_STEPS} plain SGD steps at {@link #WEAK_RELEARN_RATE} on the mean
     * cross-entropy of the same 1 %, on a copy. Too weak to teach a class from scratch, it can still
     * bring back what unlearning only hid.
     */
    double weakRelearning(NetworkLearner model) {
        NetworkLearner attacked = UnlearningBenchmark.copy(model);
        NetworkParameters network = new NetworkParameters(attacked);
        for (int step = 0; step < WEAK_RELEARN_STEPS; step++) {
            NetworkParameters.Tensors g = network.gradient(relearnSample.inputs(), relearnSample.labels(), null);
            Map<String, INDArray> live = network.params().values();
            g.values().forEach((name, v) -> live.get(name).subi(v.muli(WEAK_RELEARN_RATE / relearnSample.size())));
        }
        return 100 - Accuracy.percent(attacked, forget);
    }
}
