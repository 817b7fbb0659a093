package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.erasure.HoldOutRule;
import io.lethe.streams.privacy.SubjectKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What the network's unlearning reads from the retained store (every example the model may still
 * hold, not only the replay buffer): how many there are, a class-stratified seeded sample as remain
 * data, and all of them in stream order for exact retraining. Held-out examples are never training
 * data. The sample depends only on the keys and the seed, not on the store's iteration order, so a
 * replay after a restart draws the same one.
 */
final class RetainedTrainingData {

    /** A retained training example with its store key and its stored (sealed) bytes. */
    record Entry(String key, TrainingExample example, byte[] sealed) {
    }

    /** The count of retained training examples and the remain sample drawn from them (null when empty). */
    record Scan(long count, List<TrainingExample> sample) {
    }

    private final KeyValueStore<String, byte[]> retained;
    private final SubjectKeys keys;
    private final HoldOutRule holdOut;
    private java.util.Set<String> learnedLater = java.util.Set.of();

    RetainedTrainingData(KeyValueStore<String, byte[]> retained, SubjectKeys keys, HoldOutRule holdOut) {
        this.retained = retained;
        this.keys = keys;
        this.holdOut = holdOut;
    }

    /** Store keys to leave out until the journal replay learns them (see {@link LearningEngine#learnedLater}). */
    void learnedLater(java.util.Set<String> exampleKeys) {
        learnedLater = exampleKeys;
    }

    /** Counts the training examples and draws up to {@code size} of them, the same number per class where possible. */
    Scan scan(int size, long seed, int maxClasses) {
        List<PriorityQueue<long[]>> perClass = new ArrayList<>();
        List<List<TrainingExample>> chosen = new ArrayList<>();
        for (int c = 0; c < maxClasses; c++) {
            perClass.add(new PriorityQueue<>(Comparator.comparingLong((long[] a) -> a[0]).reversed()));
            chosen.add(new ArrayList<>());
        }
        List<TrainingExample> all = new ArrayList<>();
        long[] count = {0};
        forEach(entry -> {
            count[0]++;
            if (size > 0) {
                all.add(entry.example());
            }
        });
        if (size == 0 || all.isEmpty()) {
            return new Scan(count[0], List.of());
        }
        int classesPresent = (int) all.stream().mapToInt(TrainingExample::getLabel).distinct().count();
        int quota = Math.max(1, size / classesPresent);
        for (int i = 0; i < all.size(); i++) {
            TrainingExample e = all.get(i);
            long rank = mix(RetainedExamples.key(e).hashCode() * 0x9E3779B97F4A7C15L ^ seed);
            PriorityQueue<long[]> queue = perClass.get(e.getLabel());
            queue.add(new long[] {rank, i});
            if (queue.size() > quota) {
                queue.poll(); // keeps the quota smallest ranks
            }
        }
        List<TrainingExample> sample = new ArrayList<>();
        perClass.forEach(queue -> queue.forEach(entry -> sample.add(all.get((int) entry[1]))));
        sample.sort(Comparator.comparing(RetainedExamples::key)); // a fixed order, whatever the queues' order
        return new Scan(count[0], sample);
    }

    /** One retained example by its store key. */
    TrainingExample get(String key) {
        byte[] sealed = retained.get(key);
        if (sealed == null) {
            throw new IllegalStateException("example " + key + " is in a replay buffer but not in the retained store");
        }
        return AvroCodec.TRAINING_EXAMPLE.decode(keys.open(RetainedExamples.refOf(key), sealed));
    }

    /** Every retained training example in stream order (event time, then example id): what exact retraining learns. */
    List<Entry> inStreamOrder() {
        List<Entry> out = new ArrayList<>();
        forEach(out::add);
        // Ties (many examples share a millisecond) break on the example id, not the store key: the key
        // starts with the subject's reference, a keyed hash that changes with the key-encryption key,
        // and the order (so the retrained network) must not.
        out.sort(Comparator.comparing((Entry e) -> e.example().getEventTime())
                .thenComparing(e -> e.example().getExampleId()).thenComparing(Entry::key));
        return out;
    }

    private void forEach(Consumer<Entry> action) {
        try (KeyValueIterator<String, byte[]> all = retained.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                if (learnedLater.contains(kv.key)) {
                    continue;
                }
                TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(keys.open(RetainedExamples.refOf(kv.key), kv.value));
                if (!holdOut.holdsOut(example)) {
                    action.accept(new Entry(kv.key, example, kv.value));
                }
            }
        }
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** For the batch helpers: the sample as a learner batch, or null when empty. */
    static LabeledBatch batch(List<TrainingExample> examples, int inputDim) {
        return examples.isEmpty() ? null : ExampleBatches.of(examples, inputDim);
    }
}
