package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.gradient.GuardedUnlearning;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gradient engine's unlearning repeats bit for bit when the journal is replayed onto a snapshot,
 * whichever path it takes: an approximate run, or exact retraining from the retained store (a crash
 * during retraining redoes it to the same network; nothing half-trained is ever published).
 */
class ReplayNetworkEngineTest {

    @TempDir
    Path dir;

    private LetheConfig config(String... more) {
        String[] base = {"lethe.learner", "mlp", "lethe.mlp.hidden", "24", "lethe.mlp.batch.size", "8",
                "lethe.replay.capacity", "40", "lethe.unlearning.method", "sfr-on", "lethe.unlearning.remain.size", "32"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return TestData.config(dir, all);
    }

    private static byte[] state(StreamedEngine engine) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ((io.lethe.learning.gradient.ReplayNetworkLearner) engine.engine.learner()).writeContent(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    /** Live run, snapshot after the first erasure, second erasure; then a restart replays the second. */
    private void replayEqualsLive(LetheConfig config) throws IOException {
        List<TrainingExample> data = TestData.examples(5, 0, 96, 8);
        List<TrainingExample> firstErasure = data.stream().filter(e -> e.getSubjectId().equals("subject-1")).toList();
        List<TrainingExample> secondErasure = data.stream().filter(e -> e.getSubjectId().equals("subject-2")).toList();

        StreamedEngine live = StreamedEngine.create(config);
        live.learn(data);
        live.unlearn(firstErasure);
        ByteArrayOutputStream taken = new ByteArrayOutputStream();
        live.engine.learner().writeState(new DataOutputStream(taken)); // a snapshot taken after the first erasure
        byte[] snapshot = taken.toByteArray();
        live.unlearn(secondErasure);

        StreamedEngine restarted = StreamedEngine.restartedFrom(config, live); // stores as their changelogs restore them
        restarted.engine.learner().readState(new DataInputStream(new ByteArrayInputStream(snapshot)));
        // The journal replay unlearns the second erasure again, in a fresh engine that never saw the first.
        restarted.unlearn(secondErasure);

        ReplayNetworkEngine liveEngine = (ReplayNetworkEngine) live.engine;
        ReplayNetworkEngine restartedEngine = (ReplayNetworkEngine) restarted.engine;
        assertNotEquals(liveEngine.unlearningSeed(firstErasure), liveEngine.unlearningSeed(secondErasure));
        assertEquals(liveEngine.unlearningSeed(secondErasure), restartedEngine.unlearningSeed(secondErasure));
        assertArrayEquals(state(live), state(restarted), "the replayed unlearning equals the live one bit for bit");
        assertEquals(live.engine.verify(secondErasure.size()).method(), restarted.engine.verify(secondErasure.size()).method());
    }

    @Test
    void aReplayedApproximateUnlearningEqualsTheLiveOne() throws IOException {
        replayEqualsLive(config("lethe.unlearning.guard", "false"));
    }

    @Test
    void aReplayedRetrainingEqualsTheLiveOneAndTheBufferStoreFollowsIt() throws IOException {
        LetheConfig config = config("lethe.unlearning.exact.fraction", "0"); // every erasure retrains
        replayEqualsLive(config);

        StreamedEngine engine = StreamedEngine.create(config);
        List<TrainingExample> data = TestData.examples(7, 0, 96, 8);
        engine.learn(data);
        List<TrainingExample> erased = data.stream().filter(e -> e.getSubjectId().equals("subject-3")).toList();
        engine.unlearn(erased);
        assertEquals(GuardedUnlearning.EXACT_RETRAIN, engine.engine.verify(erased.size()).method());
        assertEquals(data.size() - erased.size(), engine.engine.learner().retainedExamples());
        Set<String> inBuffer = ((ReplayNetworkEngine) engine.engine).bufferKeys();
        Set<String> inStore = new TreeSet<>();
        try (KeyValueIterator<String, byte[]> all = engine.buffer.all()) {
            all.forEachRemaining(kv -> inStore.add(kv.key));
        }
        assertEquals(inBuffer, inStore, "the buffer's store holds exactly the retrained buffer");
        String erasedPrefix = RetainedExamples.refOf(RetainedExamples.key(erased.get(0))) + "\u0000";
        assertTrue(inStore.stream().noneMatch(k -> k.startsWith(erasedPrefix)), "no erased example in the new buffer");
    }
}
