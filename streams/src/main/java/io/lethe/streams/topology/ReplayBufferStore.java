package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.privacy.SubjectKeys;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The replay buffers' changelogged store, {@link StoreNames#REPLAY_BUFFER}: example key -> the task
 * (or pseudo-task) it was buffered under, the buffer's offers seen at that moment, and the example
 * sealed under its subject's key. One layout, for every network engine.
 */
final class ReplayBufferStore {

    /** One stored entry, opened. */
    record Entry(String key, int task, long seen, TrainingExample example) {
    }

    private final KeyValueStore<String, byte[]> store;
    private final SubjectKeys keys;

    ReplayBufferStore(KeyValueStore<String, byte[]> store, SubjectKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    /** Buffers an example (sealed here). */
    void put(String key, int task, long seen, TrainingExample example) {
        putSealed(key, task, seen, keys.seal(RetainedExamples.refOf(key), AvroCodec.TRAINING_EXAMPLE.encode(example)));
    }

    /** Buffers an example already sealed under its subject's key (e.g. the retained store's bytes). */
    void putSealed(String key, int task, long seen, byte[] sealed) {
        store.put(key, ByteBuffer.allocate(12 + sealed.length).putInt(task).putLong(seen).put(sealed).array());
    }

    /**
     * Writes one learning step's buffer change: each added item with its example ({@code example} finds
     * it by key) and its buffer's offers seen, and a delete for each evicted one.
     */
    void record(io.lethe.learning.replay.ReplayTrainer.BufferChange change,
                java.util.function.Function<String, TrainingExample> example,
                java.util.function.ToLongFunction<TrainingExample> seen) {
        for (var added : change.added()) {
            TrainingExample e = example.apply(added.exampleId());
            put(added.exampleId(), added.task(), seen.applyAsLong(e), e);
        }
        for (var evicted : change.evicted()) {
            delete(evicted.exampleId());
        }
    }

    void delete(String key) {
        store.delete(key);
    }

    /** Every entry, opened, in key order. */
    List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                ByteBuffer value = ByteBuffer.wrap(kv.value);
                int task = value.getInt();
                long seen = value.getLong();
                byte[] sealed = new byte[value.remaining()];
                value.get(sealed);
                out.add(new Entry(kv.key, task, seen,
                        AvroCodec.TRAINING_EXAMPLE.decode(keys.open(RetainedExamples.refOf(kv.key), sealed))));
            }
        }
        return out;
    }

    /** Deletes the entries whose key the test selects. */
    void deleteWhere(Predicate<String> key) {
        List<String> doomed = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            all.forEachRemaining(kv -> {
                if (key.test(kv.key)) {
                    doomed.add(kv.key);
                }
            });
        }
        doomed.forEach(store::delete);
    }
}
