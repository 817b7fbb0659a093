package io.lethe.learning.gradient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.SyntheticData;
import io.lethe.learning.UnlearningResult;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.learning.unlearning.UnlearningMethod;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guarded policy: a run that wrecks the model is refused, rolled back and replaced by exact
 * retraining (bit for bit the network trained on the retained data alone); a harmless run stands;
 * an erasure too large for approximation retrains without running the method.
 */
class GuardedUnlearningTest {

    private static final int DIM = 32;
    private static final RehearsalConfig REHEARSAL = new RehearsalConfig("uniform", 0.5, 8, 60, 1 << 24, "reservoir", 0, 5);

    /** An unlearning method that destroys the model (every weight zero) and counts its calls. */
    private static final class Wreck implements UnlearningMethod {
        int calls;

        @Override
        public String name() {
            return "wreck";
        }

        @Override
        public Map<String, String> config() {
            return Map.of();
        }

        @Override
        public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
            calls++;
            model.network().params().assign(0);
        }
    }

    private static List<ReplayItem<float[]>> items(LabeledBatch batch, String prefix) {
        float[][] rows = batch.inputs().toFloatMatrix();
        List<ReplayItem<float[]>> out = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            String subject = prefix + (i % 5);
            out.add(ReplayTrainer.item(subject + "\u0000" + i, subject, 0, batch.labels()[i], rows[i]));
        }
        return out;
    }

    private static ReplayNetworkLearner trained(UnlearningMethod method, List<ReplayItem<float[]>> data) {
        ReplayNetworkLearner learner = new ReplayNetworkLearner(new NetworkLearner(DIM, 24, 4, 0.1, 1, 3), REHEARSAL, method, 11);
        for (int from = 0; from < data.size(); from += 16) {
            learner.learn(data.subList(from, Math.min(data.size(), from + 16)), true);
        }
        return learner;
    }

    private static byte[] state(ReplayNetworkLearner learner) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        learner.writeContent(new DataOutputStream(bytes)); // exact content, without the zip format's timestamps
        return bytes.toByteArray();
    }

    private final List<ReplayItem<float[]>> data = items(SyntheticData.batch(1, 400, DIM, 4), "s");
    private final LabeledBatch heldout = SyntheticData.batch(2, 120, DIM, 4);

    private List<ReplayItem<float[]>> subject(String id, boolean keep) {
        return data.stream().filter(item -> item.exampleId().startsWith(id + "\u0000") != keep).toList();
    }

    @Test
    void aRunThatWrecksTheModelIsRefusedAndTheNetworkRetrainsExactly() throws IOException {
        Wreck wreck = new Wreck();
        ReplayNetworkLearner learner = trained(wreck, data);
        List<ReplayItem<float[]>> forgotten = subject("s1", false);
        List<ReplayItem<float[]>> kept = subject("s1", true);
        GuardedUnlearning policy = new GuardedUnlearning(new UnlearningGuard(2, 5, 5), 0.5);

        UnlearningResult result = policy.unlearn(learner, forgotten.stream().map(ReplayItem::exampleId).toList(),
                ReplayTrainer.toBatch(forgotten), null, heldout, kept.size(), () -> trained(wreck, kept));

        assertEquals(1, wreck.calls, "the approximate run happened");
        assertTrue(result.exact(), result.toString());
        assertTrue(result.method().startsWith("exact-retrain (held-out accuracy fell"), result.method());
        assertEquals(0.0, result.metrics().get("guard_accepted"));
        assertArrayEquals(state(trained(new Wreck(), kept)), state(learner),
                "the learner is, bit for bit, the network trained on the retained data alone");
        assertTrue(result.metrics().get("utility_after") > 50, "and it is useful: " + result.metrics());
        assertEquals(kept.size(), learner.retainedExamples());
    }

    @Test
    void aHarmlessRunStands() throws IOException {
        ReplayNetworkLearner learner = trained(UnlearningMethod.named("fine-tune"), data);
        List<ReplayItem<float[]>> forgotten = subject("s2", false);
        GuardedUnlearning generous = new GuardedUnlearning(new UnlearningGuard(100, 100, 100), 0.5);
        byte[] before = state(learner);
        UnlearningResult result = generous.unlearn(learner, forgotten.stream().map(ReplayItem::exampleId).toList(),
                ReplayTrainer.toBatch(forgotten), null, heldout, data.size() - forgotten.size(), () -> {
                    throw new AssertionError("no retraining when the run is accepted");
                });
        assertFalse(result.exact());
        assertEquals("approximate-fine-tune", result.method());
        assertEquals(1.0, result.metrics().get("guard_accepted"));
        assertFalse(java.util.Arrays.equals(before, state(learner)), "the accepted run changed the model");
    }

    @Test
    void anErasureTooLargeForApproximationRetrainsWithoutRunningTheMethod() throws IOException {
        Wreck wreck = new Wreck();
        ReplayNetworkLearner learner = trained(wreck, data);
        List<ReplayItem<float[]>> forgotten = new ArrayList<>(subject("s1", false));
        forgotten.addAll(subject("s2", false)); // 40 % of the data
        List<ReplayItem<float[]>> kept = data.stream().filter(item -> !forgotten.contains(item)).toList();
        UnlearningResult result = new GuardedUnlearning(new UnlearningGuard(2, 5, 5), 0.05).unlearn(learner,
                forgotten.stream().map(ReplayItem::exampleId).toList(), ReplayTrainer.toBatch(forgotten), null, heldout,
                kept.size(), () -> trained(wreck, kept));
        assertEquals(0, wreck.calls, "the size policy goes straight to retraining");
        assertTrue(result.method().startsWith("exact-retrain (the erasure exceeds 0.05"), result.method());
        assertEquals(1.0, result.metrics().get("guard_size_exceeded"));
        assertArrayEquals(state(trained(new Wreck(), kept)), state(learner));
    }

    @Test
    void theGuardJudgesByTheNumbers() {
        UnlearningGuard guard = new UnlearningGuard(2, 5, 5);
        assertTrue(guard.judge(new UnlearningGuard.Measured(90, 88.5, Double.NaN, Double.NaN, Double.NaN)).accepted());
        UnlearningGuard.Verdict drop = guard.judge(new UnlearningGuard.Measured(90, 87.5, Double.NaN, Double.NaN, Double.NaN));
        assertFalse(drop.accepted());
        assertTrue(drop.reasons().get(0).contains("fell 2.5 points"), drop.reasons().toString());
        assertFalse(guard.judge(new UnlearningGuard.Measured(90, 90, 6, Double.NaN, Double.NaN)).accepted(),
                "6 % of a vanished class still recognised");
        assertTrue(guard.judge(new UnlearningGuard.Measured(90, 90, 4.9, Double.NaN, Double.NaN)).accepted());
        assertFalse(guard.judge(new UnlearningGuard.Measured(90, 90, Double.NaN, 95, 88)).accepted(),
                "forgotten examples 7 points better than held-out ones");
        assertTrue(guard.judge(new UnlearningGuard.Measured(90, 90, Double.NaN, 92, 88)).accepted());
    }
}
