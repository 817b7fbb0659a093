package io.lethe.learning.gradient;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.UnlearningResult;
import io.lethe.learning.metrics.Accuracy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The network's unlearning policy: an erasure larger than {@code exactFraction} of the retained data
 * retrains at once; a smaller one runs the approximate method, is measured by the
 * {@link UnlearningGuard}, and is rolled back and replaced by exact retraining when the guard refuses
 * it. Exact retraining builds the network anew from the retained examples only (the caller supplies
 * it: it knows where they are), so its result holds no influence of the erased data by construction.
 * The result names the path taken ({@code approximate-<method>} or {@code exact-retrain}) and carries
 * what was measured either way.
 */
public final class GuardedUnlearning {

    public static final String EXACT_RETRAIN = "exact-retrain";

    private final UnlearningGuard guard;
    private final double exactFraction;

    public GuardedUnlearning(UnlearningGuard guard, double exactFraction) {
        if (!(exactFraction >= 0 && exactFraction <= 1)) {
            throw new IllegalArgumentException("the exact fraction must lie in [0, 1], got " + exactFraction);
        }
        this.guard = guard;
        this.exactFraction = exactFraction;
    }

    /**
     * Unlearns the keyed examples from {@code learner}.
     *
     * @param forget the examples to forget
     * @param remain remain data for the approximate method (null: the learner's buffer)
     * @param heldout held-out examples still retained (never learned): utility and the forget check
     * @param retainedAfter how many examples remain retained once these are gone
     * @param retrain builds a learner trained exactly on the retained examples
     */
    public UnlearningResult unlearn(ReplayNetworkLearner learner, Collection<String> keys, LabeledBatch forget,
                                    LabeledBatch remain, LabeledBatch heldout, long retainedAfter,
                                    Supplier<ReplayNetworkLearner> retrain) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        double utilityBefore = accuracy(learner, heldout);
        metrics.put("utility_before", utilityBefore);
        if (forget.size() > exactFraction * (retainedAfter + forget.size())) {
            metrics.put("guard_size_exceeded", 1.0);
            return retrained(learner, forget, heldout, retrain, metrics,
                    "the erasure exceeds " + exactFraction + " of the retained data");
        }
        byte[] before = state(learner);
        UnlearningResult approximate = learner.unlearn(keys, forget, remain, heldout);
        metrics.putAll(approximate.metrics());
        UnlearningGuard.Measured measured = measure(learner, forget, heldout, utilityBefore);
        UnlearningGuard.Verdict verdict = guard.judge(measured);
        put(metrics, measured);
        if (verdict.accepted()) {
            metrics.put("guard_accepted", 1.0);
            return new UnlearningResult("approximate-" + approximate.method(), false, forget.size(), null, metrics);
        }
        restore(learner, before); // the refused run never stands, not even for a moment
        metrics.put("guard_accepted", 0.0);
        return retrained(learner, forget, heldout, retrain, metrics, String.join("; ", verdict.reasons()));
    }

    private UnlearningResult retrained(ReplayNetworkLearner learner, LabeledBatch forget,
                                       LabeledBatch heldout, Supplier<ReplayNetworkLearner> retrain,
                                       Map<String, Double> metrics, String why) {
        long started = System.nanoTime();
        double forgetBefore = Accuracy.percent(learner, forget);
        ReplayNetworkLearner fresh = retrain.get();
        restore(learner, state(fresh));
        metrics.put("forget_accuracy_before", forgetBefore);
        metrics.put("retrain_ms", (System.nanoTime() - started) / 1e6);
        metrics.put("unlearning_ms", metrics.get("retrain_ms") + metrics.getOrDefault("unlearning_ms", 0.0));
        metrics.put("forget_accuracy", Accuracy.percent(learner, forget));
        UnlearningGuard.Measured measured = measure(learner, forget, heldout, metrics.get("utility_before"));
        put(metrics, measured);
        metrics.put("test_accuracy_holdout", measured.utilityAfter());
        metrics.remove("retained_accuracy_replay_buffer"); // the refused run's; the buffer is a new one now
        return new UnlearningResult(EXACT_RETRAIN + " (" + why + ")", true, forget.size(), null, metrics);
    }

    private static void put(Map<String, Double> metrics, UnlearningGuard.Measured measured) {
        metrics.put("utility_after", measured.utilityAfter());
        metrics.put("forget_accuracy_vanished_classes", measured.forgetVanishedAfter());
        metrics.put("forget_accuracy_retained_classes", measured.forgetRetainedAfter());
        metrics.put("heldout_accuracy_forget_classes", measured.heldoutRetainedAfter());
    }

    /** Splits the forget set by whether its class still has held-out examples, and measures each part. */
    static UnlearningGuard.Measured measure(ReplayNetworkLearner learner, LabeledBatch forget, LabeledBatch heldout,
                                            double utilityBefore) {
        boolean[] heldoutClass = new boolean[learner.network().maxClasses()];
        if (heldout != null) {
            for (int label : heldout.labels()) {
                heldoutClass[label] = true;
            }
        }
        int[] predicted = learner.predict(forget.inputs());
        int[] vanished = new int[2];
        int[] retained = new int[2];
        boolean[] forgetClass = new boolean[heldoutClass.length];
        for (int i = 0; i < predicted.length; i++) {
            int label = forget.labels()[i];
            int[] counts = heldoutClass[label] ? retained : vanished;
            counts[0] += predicted[i] == label ? 1 : 0;
            counts[1]++;
            forgetClass[label] |= heldoutClass[label];
        }
        double heldoutOfThoseClasses = Double.NaN;
        if (heldout != null) {
            int[] hp = learner.predict(heldout.inputs());
            int right = 0;
            int n = 0;
            for (int i = 0; i < hp.length; i++) {
                if (forgetClass[heldout.labels()[i]]) {
                    right += hp[i] == heldout.labels()[i] ? 1 : 0;
                    n++;
                }
            }
            heldoutOfThoseClasses = n == 0 ? Double.NaN : 100.0 * right / n;
        }
        return new UnlearningGuard.Measured(utilityBefore, accuracy(learner, heldout), percent(vanished),
                percent(retained), heldoutOfThoseClasses);
    }

    private static double percent(int[] counts) {
        return counts[1] == 0 ? Double.NaN : 100.0 * counts[0] / counts[1];
    }

    private static double accuracy(ReplayNetworkLearner learner, LabeledBatch batch) {
        return batch == null || batch.size() == 0 ? Double.NaN : Accuracy.percent(learner, batch);
    }

    private static byte[] state(ReplayNetworkLearner learner) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
            learner.writeState(new DataOutputStream(bytes));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void restore(ReplayNetworkLearner learner, byte[] state) {
        try {
            learner.readState(new DataInputStream(new ByteArrayInputStream(state)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
