package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gradient engine's unlearning repeats bit for bit when the journal is replayed onto a snapshot. */
class ReplayNetworkEngineTest {

    @TempDir
    Path dir;

    @Test
    void aReplayedUnlearningUsesTheSameSeedAsTheLiveOne() throws IOException {
        LetheConfig config = TestData.config(dir, "lethe.learner", "mlp", "lethe.mlp.hidden", "24",
                "lethe.mlp.batch.size", "8", "lethe.replay.capacity", "40", "lethe.unlearning.method", "sfr-on");
        List<TrainingExample> data = TestData.examples(5, 0, 96, 8);
        List<TrainingExample> firstErasure = data.stream().filter(e -> e.getSubjectId().equals("subject-1")).toList();
        List<TrainingExample> secondErasure = data.stream().filter(e -> e.getSubjectId().equals("subject-2")).toList();

        Engine live = new Engine(config);
        live.engine.learn(data, true);
        live.engine.unlearn(firstErasure);
        byte[] snapshot = live.state(); // a snapshot taken after the first erasure
        live.engine.unlearn(secondErasure);

        Engine restarted = new Engine(config, live.buffer, live.keys); // the buffer as its changelog restores it
        restarted.engine.learner().readState(new DataInputStream(new ByteArrayInputStream(snapshot)));
        // The journal replay unlearns the second erasure again, in a fresh engine that never saw the first.
        restarted.engine.unlearn(secondErasure);

        assertNotEquals(live.engine.unlearningSeed(firstErasure), live.engine.unlearningSeed(secondErasure));
        assertEquals(live.engine.unlearningSeed(secondErasure), restarted.engine.unlearningSeed(secondErasure));
        assertArrayEquals(live.state(), restarted.state(), "the replayed unlearning equals the live one bit for bit");
    }

    /** An engine on its own in-memory replay-buffer store. */
    private static final class Engine {
        final ReplayNetworkEngine engine;
        final KeyValueStore<String, byte[]> buffer;

        final io.lethe.streams.privacy.SubjectKeys keys;

        Engine(LetheConfig config) {
            this(config, null, null);
        }

        /** An engine whose buffer store is a copy of another's, under the same subject keys. */
        Engine(LetheConfig config, KeyValueStore<String, byte[]> copyOf, io.lethe.streams.privacy.SubjectKeys sharedKeys) {
            MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
            buffer = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.REPLAY_BUFFER),
                    Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
            buffer.init(context.getStateStoreContext(), buffer);
            if (copyOf != null) {
                try (KeyValueIterator<String, byte[]> all = copyOf.all()) {
                    all.forEachRemaining(kv -> buffer.put(kv.key, kv.value));
                }
            }
            engine = new ReplayNetworkEngine(config);
            keys = sharedKeys != null ? sharedKeys : TestData.subjectKeys(config, context);
            engine.init(context, keys);
        }

        byte[] state() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            engine.learner().writeState(new DataOutputStream(bytes));
            return bytes.toByteArray();
        }
    }
}
