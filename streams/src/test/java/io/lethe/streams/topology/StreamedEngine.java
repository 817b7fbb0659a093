package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestData;
import io.lethe.streams.privacy.SubjectKeys;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * An engine on in-memory stores, with the retained store kept as the processor keeps it beside the
 * engine (sealed examples in, rows out before unlearning): the network's unlearning draws remain data
 * from it and retrains from it.
 */
final class StreamedEngine {

    final LearningEngine engine;
    final KeyValueStore<String, byte[]> retained;
    final KeyValueStore<String, byte[]> buffer;
    final SubjectKeys keys;

    private StreamedEngine(LetheConfig config, StreamedEngine copyOf) {
        MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        List<String> names = new ArrayList<>(LearningEngines.capabilities(config).extraStores());
        names.add(StoreNames.RETAINED_EXAMPLES);
        for (String name : names) {
            KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                    Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            if (copyOf != null) {
                KeyValueStore<String, byte[]> source = name.equals(StoreNames.RETAINED_EXAMPLES) ? copyOf.retained
                        : copyOf.buffer;
                try (KeyValueIterator<String, byte[]> all = source.all()) {
                    all.forEachRemaining(kv -> store.put(kv.key, kv.value));
                }
            }
        }
        retained = context.getStateStore(StoreNames.RETAINED_EXAMPLES);
        buffer = names.contains(StoreNames.REPLAY_BUFFER) ? context.getStateStore(StoreNames.REPLAY_BUFFER) : null;
        keys = copyOf != null ? copyOf.keys : TestData.subjectKeys(config, context);
        engine = LearningEngines.create(config);
        engine.init(context, keys);
    }

    static StreamedEngine create(LetheConfig config) {
        return new StreamedEngine(config, null);
    }

    /** A restarted engine: its stores as their changelogs restore them, under the same keys. */
    static StreamedEngine restartedFrom(LetheConfig config, StreamedEngine live) {
        return new StreamedEngine(config, live);
    }

    void learn(List<TrainingExample> examples) {
        for (TrainingExample e : examples) {
            String key = RetainedExamples.key(e);
            retained.put(key, keys.seal(RetainedExamples.refOf(key), AvroCodec.TRAINING_EXAMPLE.encode(e)));
        }
        engine.learn(examples, true);
    }

    void unlearn(List<TrainingExample> examples) {
        examples.forEach(e -> retained.delete(RetainedExamples.key(e)));
        engine.unlearn(examples);
    }
}
