package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.erasure.ErasureCoverage;
import io.lethe.streams.privacy.SubjectKeys;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The retained examples and the erasure watermarks, and what an erasure request matches in them.
 * Keys are {@code subject reference \0 example id}, so a subject's examples are one prefix scan; values
 * are sealed under the subject's data key. A class, a task or an example id without its subject is
 * found through an index in memory (store keys by class, by task and by example id), never by
 * opening every retained example. The index is rebuilt from the store whenever the learner starts
 * (one scan), so it always matches what the store holds after a restore; keeping it in memory, not
 * in a changelogged store, spares three store writes and three changelog records per example. The
 * learner sees examples and requests pseudonymised (subject id replaced by its reference) from the
 * moment they arrive.
 */
public final class RetainedExamples {

    static final char KEY_SEPARATOR = ErasureCoverage.KEY_SEPARATOR;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RetainedExamples.class);

    private final KeyValueStore<String, byte[]> retained;
    private final java.util.Map<Integer, Set<String>> byClass = new java.util.HashMap<>();
    private final java.util.Map<Integer, Set<String>> byTask = new java.util.HashMap<>();
    private final java.util.Map<String, Set<String>> byExampleId = new java.util.HashMap<>();
    private final KeyValueStore<String, Long> watermarks;
    private final SubjectKeys keys;
    /** False until any erasure is recorded: spares five store reads per example on the common path. */
    private boolean anyWatermark;

    /** Over the learner's stores (public for tools that measure or inspect them, such as the bench). */
    public RetainedExamples(KeyValueStore<String, byte[]> retained, KeyValueStore<String, Long> watermarks, SubjectKeys keys) {
        this.retained = retained;
        this.watermarks = watermarks;
        this.keys = keys;
        try (KeyValueIterator<String, Long> any = watermarks.all()) {
            this.anyWatermark = any.hasNext();
        }
        long started = System.nanoTime();
        long[] count = {0};
        forEach((key, bytes) -> {
            index(key, AvroCodec.TRAINING_EXAMPLE.decode(bytes), true);
            count[0]++;
        });
        if (count[0] > 0) {
            LOG.info("indexed {} retained examples by class, task and example id in {} ms", count[0],
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private void index(String key, TrainingExample example, boolean add) {
        update(byClass, example.getLabel(), key, add);
        update(byTask, example.getTask(), key, add);
        update(byExampleId, exampleIdOf(key), key, add);
    }

    private static <K> void update(java.util.Map<K, Set<String>> index, K value, String key, boolean add) {
        if (add) {
            index.computeIfAbsent(value, v -> new HashSet<>(4)).add(key);
        } else {
            Set<String> keys = index.get(value);
            if (keys != null && keys.remove(key) && keys.isEmpty()) {
                index.remove(value);
            }
        }
    }

    public static String key(TrainingExample example) {
        return ErasureCoverage.exampleKey(example);
    }

    /** The example id a store key ends with. */
    private static String exampleIdOf(String key) {
        return key.substring(key.indexOf(KEY_SEPARATOR) + 1);
    }

    /** The subject reference a store key starts with. */
    static String refOf(String key) {
        int separator = key.indexOf(KEY_SEPARATOR);
        return separator < 0 ? key : key.substring(0, separator);
    }

    /** Keeps an example (sealed under its subject's key) and indexes it. */
    public void put(String key, TrainingExample example, byte[] exampleBytes) {
        retained.put(key, keys.seal(refOf(key), exampleBytes));
        index(key, example, true);
    }

    /** The example's Avro bytes, or null when it is not retained. */
    byte[] get(String key) {
        byte[] sealed = retained.get(key);
        return sealed == null ? null : keys.open(refOf(key), sealed);
    }

    /** Every retained example, opened, in key order. */
    public void forEach(java.util.function.BiConsumer<String, byte[]> action) {
        try (KeyValueIterator<String, byte[]> all = retained.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> kv = all.next();
                action.accept(kv.key, keys.open(refOf(kv.key), kv.value));
            }
        }
    }

    SubjectKeys keys() {
        return keys;
    }

    /**
     * Whether the store holds this key, answered by the index, which mirrors the store: every example
     * passes this check, and a store read for a key that is usually absent cost the stream thread
     * about 4 µs each (RocksDB's memtables and files), 13 % of its time while learning.
     */
    boolean contains(String key) {
        Set<String> sameId = byExampleId.get(exampleIdOf(key));
        return sameId != null && sameId.contains(key);
    }

    /** Whether a recorded erasure covers the example (see {@link ErasureCoverage}). */
    boolean coveredByAnErasure(TrainingExample example) {
        return anyWatermark && ErasureCoverage.covered(example, watermarks::get);
    }

    void recordWatermarks(ErasureRequest request) {
        long at = request.getRequestedAt().toEpochMilli();
        List<String> keys = ErasureCoverage.watermarkKeys(request);
        anyWatermark |= !keys.isEmpty();
        for (String key : keys) {
            Long previous = watermarks.get(key);
            if (previous == null || previous < at) {
                watermarks.put(key, at);
            }
        }
    }

    /**
     * One retained example an erasure removed: its store key, its Avro bytes (for the journal) and
     * the example decoded once (for the learner and the index).
     */
    public record Erased(String key, byte[] bytes, TrainingExample example) {
    }

    /** Records the request's watermarks and deletes every retained example it matches; returns them. */
    public List<Erased> erase(ErasureRequest request) {
        recordWatermarks(request);
        List<KeyValue<String, byte[]>> matches = findMatches(request);
        List<Erased> erased = new ArrayList<>(matches.size());
        for (KeyValue<String, byte[]> match : matches) {
            TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(match.value);
            retained.delete(match.key);
            index(match.key, example, false);
            erased.add(new Erased(match.key, match.value, example));
        }
        return erased;
    }

    List<KeyValue<String, byte[]>> findMatches(ErasureRequest request) {
        List<KeyValue<String, byte[]>> matches = new ArrayList<>();
        Set<String> ids = new HashSet<>(request.getExampleIds());
        boolean bySubject = request.getSubjectId() != null && !request.getSubjectId().isBlank();
        switch (request.getScope()) {
            case SUBJECT -> collect(subjectRange(request.getSubjectId()), kv -> true, matches);
            case EXAMPLES -> {
                if (bySubject) {
                    collect(subjectRange(request.getSubjectId()),
                            kv -> ids.contains(exampleIdOf(kv.key)), matches);
                } else {
                    request.getExampleIds().stream().distinct().forEach(id -> collectIndexed(byExampleId.get(id), matches));
                }
            }
            case CLASS -> collectIndexed(byClass.get(request.getClassLabel()), matches);
            case TASK -> collectIndexed(byTask.get(request.getTask()), matches);
            default -> {
                // Rejected by the validator; nothing reaches here.
            }
        }
        return matches;
    }

    /** The retained examples under these store keys (an index entry; null: none), opened, in key order. */
    private void collectIndexed(Set<String> indexed, List<KeyValue<String, byte[]>> into) {
        if (indexed == null) {
            return;
        }
        for (String key : new java.util.TreeSet<>(indexed)) {
            byte[] sealed = retained.get(key);
            if (sealed != null) {
                into.add(KeyValue.pair(key, keys.open(refOf(key), sealed)));
            }
        }
    }

    private KeyValueIterator<String, byte[]> subjectRange(String subject) {
        return retained.prefixScan(subject + KEY_SEPARATOR, new StringSerializer());
    }

    private void collect(KeyValueIterator<String, byte[]> iterator, Predicate<KeyValue<String, byte[]>> keep,
                                List<KeyValue<String, byte[]>> into) {
        try (iterator) {
            while (iterator.hasNext()) {
                KeyValue<String, byte[]> kv = iterator.next();
                KeyValue<String, byte[]> opened = KeyValue.pair(kv.key, keys.open(refOf(kv.key), kv.value));
                if (keep.test(opened)) {
                    into.add(opened);
                }
            }
        }
    }
}
