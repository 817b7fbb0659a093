package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The SalUn protocol's metrics, in percent: UA = 100 - accuracy on the forget set, RA = accuracy
 * on retained data, TA = accuracy on test data, and MIA-efficacy = the share of the forget set a
 * membership-inference attack calls non-member. The attack is a threshold on the confidence in
 * the true label, fitted (best balanced accuracy) on members = retained examples and non-members =
 * test examples, against the model being measured.
 *
 * @param ua unlearning accuracy (100 - forget-set accuracy)
 * @param ra retained accuracy
 * @param ta test accuracy
 * @param mia MIA-efficacy
 */
public record UnlearningMetrics(double ua, double ra, double ta, double mia) {

    public static UnlearningMetrics measure(NetworkLearner model, LabeledBatch forget, LabeledBatch retained,
                                            LabeledBatch test) {
        return measure(inputs -> model.network().output(inputs.castTo(DataType.FLOAT), false), model.maxClasses(), forget,
                retained, test);
    }

    /** The same metrics for any model given as its class probabilities (n x classes), an ensemble say. */
    public static UnlearningMetrics measure(java.util.function.Function<INDArray, INDArray> probabilities, int classes,
                                            LabeledBatch forget, LabeledBatch retained, LabeledBatch test) {
        Outputs f = outputs(probabilities, classes, forget);
        Outputs r = outputs(probabilities, classes, retained);
        Outputs t = outputs(probabilities, classes, test);
        double threshold = threshold(r.confidence(), t.confidence());
        long nonMembers = Arrays.stream(f.confidence()).filter(c -> c < threshold).count();
        return new UnlearningMetrics(100 - f.accuracy(), r.accuracy(), t.accuracy(),
                100.0 * nonMembers / f.confidence().length);
    }

    /** Confidence in the true label and accuracy (percent), from one forward pass. */
    private record Outputs(double[] confidence, double accuracy) {
    }

    /** Mean absolute difference over the four metrics. */
    public double averageGap(UnlearningMetrics oracle) {
        return (Math.abs(ua - oracle.ua) + Math.abs(ra - oracle.ra) + Math.abs(ta - oracle.ta)
                + Math.abs(mia - oracle.mia)) / 4;
    }

    static Outputs outputs(java.util.function.Function<INDArray, INDArray> model, int classes, LabeledBatch batch) {
        INDArray probabilities = model.apply(batch.inputs()).castTo(DataType.FLOAT);
        float[] p = probabilities.dup('c').data().asFloat();
        int[] labels = batch.labels();
        double[] confidence = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            confidence[i] = p[i * classes + labels[i]];
        }
        double accuracy = io.lethe.learning.metrics.Accuracy.percent(io.lethe.learning.Argmax.rows(probabilities), labels);
        return new Outputs(confidence, labels.length == 0 ? Double.NaN : accuracy);
    }

    /**
     * The confidence threshold t (member iff confidence >= t) with the best balanced accuracy on
     * the given members and non-members.
     */
    static double threshold(double[] members, double[] nonMembers) {
        double[] candidates = new double[members.length + nonMembers.length];
        System.arraycopy(members, 0, candidates, 0, members.length);
        System.arraycopy(nonMembers, 0, candidates, members.length, nonMembers.length);
        Arrays.sort(candidates);
        double[] m = members.clone();
        double[] n = nonMembers.clone();
        Arrays.sort(m);
        Arrays.sort(n);
        double best = -1;
        double bestThreshold = candidates[0];
        int mi = 0;
        int ni = 0;
        for (double t : candidates) {
            while (mi < m.length && m[mi] < t) {
                mi++;
            }
            while (ni < n.length && n[ni] < t) {
                ni++;
            }
            // members at or above t are called members; non-members below t are called non-members
            double balanced = ((m.length - mi) / (double) m.length + ni / (double) n.length) / 2;
            if (balanced > best) {
                best = balanced;
                bestThreshold = t;
            }
        }
        return bestThreshold;
    }
}
