package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.erasure.HoldOutRule;
import io.lethe.streams.privacy.SubjectKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The network engines' test data: retained examples the {@link HoldOutRule} selects (stored and
 * erasable, never learned), at most {@code capacity} of them, in key order. Rebuilt from the retained
 * store on start; erased ones leave it with the erasure.
 */
final class HeldOutExamples {

    private final HoldOutRule rule;
    private final int capacity;
    private final Map<String, TrainingExample> examples = new TreeMap<>();

    HeldOutExamples(HoldOutRule rule, int capacity) {
        this.rule = rule;
        this.capacity = capacity;
    }

    boolean holdsOut(TrainingExample example) {
        return rule.holdsOut(example);
    }

    void offer(TrainingExample example) {
        if (examples.size() < capacity) {
            examples.put(RetainedExamples.key(example), example);
        }
    }

    void load(KeyValueStore<String, byte[]> retained, SubjectKeys keys) {
        if (rule.percent() <= 0) {
            return;
        }
        try (KeyValueIterator<String, byte[]> all = retained.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(keys.open(RetainedExamples.refOf(kv.key), kv.value));
                if (holdsOut(example)) {
                    offer(example);
                }
            }
        }
    }

    void removeAll(Collection<String> keys) {
        keys.forEach(examples::remove);
    }

    /** The held-out examples as a batch, or null when there are none. */
    LabeledBatch batch(int inputDim) {
        return examples.isEmpty() ? null : ExampleBatches.of(new ArrayList<>(examples.values()), inputDim);
    }
}
