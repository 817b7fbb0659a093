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
 * found through {@link StoreNames#RETAINED_INDEX} (one prefix scan each), never by opening every
 * retained example. The learner sees examples and requests pseudonymised (subject id replaced by its
 * reference) from the moment they arrive.
 */
public final class RetainedExamples {

    static final char KEY_SEPARATOR = ErasureCoverage.KEY_SEPARATOR;

    private static final byte[] PRESENT = new byte[0];
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RetainedExamples.class);

    private final KeyValueStore<String, byte[]> retained;
    private final KeyValueStore<String, byte[]> index;
    private final KeyValueStore<String, Long> watermarks;
    private final SubjectKeys keys;
    /** False until any erasure is recorded: spares five store reads per example on the common path. */
    private boolean anyWatermark;

    /** Over the learner's stores (public for tools that measure or inspect them, such as the bench). */
    public RetainedExamples(KeyValueStore<String, byte[]> retained, KeyValueStore<String, byte[]> index,
                     KeyValueStore<String, Long> watermarks, SubjectKeys keys) {
        this.retained = retained;
        this.index = index;
        this.watermarks = watermarks;
        this.keys = keys;
        try (KeyValueIterator<String, Long> any = watermarks.all()) {
            this.anyWatermark = any.hasNext();
        }
        buildIndexIfMissing();
    }

    /** State written before the index existed: indexed once, by one scan, at the first start. */
    private void buildIndexIfMissing() {
        try (KeyValueIterator<String, byte[]> anyIndexed = index.all(); KeyValueIterator<String, byte[]> anyRetained = retained.all()) {
            if (anyIndexed.hasNext() || !anyRetained.hasNext()) {
                return;
            }
        }
        long[] count = {0};
        forEach((key, bytes) -> {
            indexKeys(key, AvroCodec.TRAINING_EXAMPLE.decode(bytes)).forEach(k -> index.put(k, PRESENT));
            count[0]++;
        });
        LOG.info("indexed {} retained examples by class, task and example id (state from before the index)", count[0]);
    }

    /** The index entries of a retained example: by class, by task and by example id, each ending in its store key. */
    private static List<String> indexKeys(String key, TrainingExample example) {
        return List.of(classPrefix(example.getLabel()) + key, taskPrefix(example.getTask()) + key,
                idPrefix(example.getExampleId()) + key);
    }

    private static String classPrefix(int label) {
        return "c" + label + KEY_SEPARATOR;
    }

    private static String taskPrefix(int task) {
        return "t" + task + KEY_SEPARATOR;
    }

    private static String idPrefix(String exampleId) {
        return "e" + exampleId + KEY_SEPARATOR;
    }

    public static String key(TrainingExample example) {
        return ErasureCoverage.exampleKey(example);
    }

    /** The subject reference a store key starts with. */
    static String refOf(String key) {
        int separator = key.indexOf(KEY_SEPARATOR);
        return separator < 0 ? key : key.substring(0, separator);
    }

    /** Keeps an example (sealed under its subject's key) and indexes it. */
    public void put(String key, TrainingExample example, byte[] exampleBytes) {
        retained.put(key, keys.seal(refOf(key), exampleBytes));
        indexKeys(key, example).forEach(k -> index.put(k, PRESENT));
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

    boolean contains(String key) {
        return retained.get(key) != null;
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
     * Records the request's watermarks and deletes every retained example it matches; returns them
     * (store key and bytes).
     */
    public List<KeyValue<String, byte[]>> erase(ErasureRequest request) {
        recordWatermarks(request);
        List<KeyValue<String, byte[]>> matches = findMatches(request);
        for (KeyValue<String, byte[]> match : matches) {
            retained.delete(match.key);
            indexKeys(match.key, AvroCodec.TRAINING_EXAMPLE.decode(match.value)).forEach(index::delete);
        }
        return matches;
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
                            kv -> ids.contains(kv.key.substring(kv.key.indexOf(KEY_SEPARATOR) + 1)), matches);
                } else {
                    request.getExampleIds().stream().distinct().forEach(id -> collectIndexed(idPrefix(id), matches));
                }
            }
            case CLASS -> collectIndexed(classPrefix(request.getClassLabel()), matches);
            case TASK -> collectIndexed(taskPrefix(request.getTask()), matches);
            default -> {
                // Rejected by the validator; nothing reaches here.
            }
        }
        return matches;
    }

    /** The retained examples whose index entries start with the prefix, opened. */
    private void collectIndexed(String prefix, List<KeyValue<String, byte[]>> into) {
        List<String> storeKeys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> entries = index.prefixScan(prefix, new StringSerializer())) {
            entries.forEachRemaining(kv -> storeKeys.add(kv.key.substring(prefix.length())));
        }
        for (String key : storeKeys) {
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
