package io.lethe.tools.bench;

import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.feature.FeatureMapSpec;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.privacy.KeyEncryptionKey;
import io.lethe.streams.privacy.SubjectKeys;
import io.lethe.streams.topology.RetainedExamples;
import io.lethe.streams.topology.StoreNames;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The two scaling tables: the learner's costs against the feature dimension, and erasure's cost
 * in the learner's own stores (RocksDB, sealed values, the index) against the retained size.
 */
final class ScalingTables {

    private static final int EXAMPLES_PER_SUBJECT = 60;

    private ScalingTables() {
    }

    /** Conv maps of 64, 96, 128 and 256 filters: d = 1,024, 1,536, 2,048 and 4,096. */
    static List<Map<String, Object>> featureDimension(ImageDataset train, PrintStream out) {
        out.printf("%n== scaling: learning and unlearning cost against the feature dimension (4,096 examples each) ==%n");
        List<Map<String, Object>> table = new ArrayList<>();
        for (int filters : new int[] {64, 96, 128, 256}) {
            FeatureMapSpec spec = FeatureMapSpec.randomConv(28, filters, 5, 6, 42);
            out.printf(" d = %,d:%n", spec.outputDim());
            InMemoryStages.Result r = InMemoryStages.measure(spec, train, 4096, 256, out);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("features", spec.outputDim());
            row.put("featurise_images_per_s", r.featurisePerSecond());
            row.put("statistics_examples_per_s", r.statisticsPerSecond());
            row.put("learn_examples_per_s", r.learnPerSecond());
            row.put("reinversion_ms", r.reinversionMs());
            row.put("subject_erasure_ms", r.subjectErasureP50Ms());
            row.put("class_erasure_ms", r.classErasureMs());
            row.put("class_erasure_examples", r.classErasureExamples());
            table.add(row);
        }
        out.printf("%n%9s %14s %14s %12s %14s %14s %16s%n", "features", "featurise/s", "statistics/s", "learn/s",
                "re-invert ms", "subject ms", "class ms (n)");
        for (Map<String, Object> row : table) {
            out.printf("%,9d %,14.0f %,14.0f %,12.0f %,14.1f %,14.1f %,10.0f (%d)%n", row.get("features"),
                    row.get("featurise_images_per_s"), row.get("statistics_examples_per_s"), row.get("learn_examples_per_s"),
                    row.get("reinversion_ms"), row.get("subject_erasure_ms"), row.get("class_erasure_ms"),
                    row.get("class_erasure_examples"));
        }
        return table;
    }

    /**
     * MNIST replayed with new ids into the retained store at 10k, 60k and 600k examples (60 per
     * subject); then what a subject and a class erasure cost to find and delete, against one full scan
     * (what a class erasure cost before the index).
     */
    static List<Map<String, Object>> retainedSize(ImageDataset train, Path dir, PrintStream out) throws IOException {
        out.printf("%n== scaling: erasure cost in the learner's stores (RocksDB, sealed) against the retained size ==%n");
        List<Map<String, Object>> table = new ArrayList<>();
        for (int size : new int[] {10_000, 60_000, 600_000}) {
            Path stateDir = dir.resolve("retained-" + size);
            io.lethe.tools.WorkFolders.deleteRecursively(stateDir);
            Files.createDirectories(stateDir);
            MockProcessorContext<String, byte[]> context = new MockProcessorContext<>(new java.util.Properties(),
                    new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.toFile());
            KeyValueStore<String, byte[]> retained = rocks(context, StoreNames.RETAINED_EXAMPLES);
            KeyValueStore<String, Long> watermarks = Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(StoreNames.ERASURE_WATERMARKS), Serdes.String(), Serdes.Long())
                    .withLoggingDisabled().build();
            watermarks.init(context.getStateStoreContext(), watermarks);
            KeyValueStore<String, byte[]> keyStore = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.SUBJECT_KEYS),
                    Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
            keyStore.init(context.getStateStoreContext(), keyStore);
            byte[] kek = new byte[32];
            new SecureRandom().nextBytes(kek);
            SubjectKeys keys = SubjectKeys.open(KeyEncryptionKey.fromBase64(Base64.getEncoder().encodeToString(kek), "bench"), keyStore);
            RetainedExamples store = new RetainedExamples(retained, watermarks, keys);

            long started = System.nanoTime();
            long t0Restart;
            for (int i = 0; i < size; i++) {
                int source = i % train.size();
                TrainingExample example = TrainingExample.newBuilder().setExampleId("replayed-" + i)
                        .setSubjectId("subject-" + i / EXAMPLES_PER_SUBJECT).setTask(train.labels()[source] / 2)
                        .setLabel(train.labels()[source]).setPixels(ByteBuffer.wrap(train.pixels()[source])).setFeatures(null)
                        .setEventTime(Instant.ofEpochMilli(0)).build();
                store.put(RetainedExamples.key(example), example, AvroCodec.TRAINING_EXAMPLE.encode(example));
            }
            double fillSeconds = (System.nanoTime() - started) / 1e9;
            t0Restart = System.nanoTime();
            store = new RetainedExamples(retained, watermarks, keys); // as after a restart: the index rebuilt by one scan
            double indexBuildMs = (System.nanoTime() - t0Restart) / 1e6;

            long t = System.nanoTime();
            long[] scanned = {0};
            store.forEach((key, bytes) -> scanned[0] += AvroCodec.TRAINING_EXAMPLE.decode(bytes).getLabel() == 3 ? 1 : 0);
            double fullScanMs = (System.nanoTime() - t) / 1e6;

            double[] subjectMs = new double[9];
            int subjectFound = 0;
            for (int r = 0; r < subjectMs.length; r++) {
                String subject = "subject-" + (r * (size / EXAMPLES_PER_SUBJECT) / subjectMs.length);
                t = System.nanoTime();
                subjectFound = store.erase(request(ErasureScope.SUBJECT, subject, null)).size();
                subjectMs[r] = (System.nanoTime() - t) / 1e6;
            }
            t = System.nanoTime();
            int classFound = store.erase(request(ErasureScope.CLASS, null, 3)).size();
            double classMs = (System.nanoTime() - t) / 1e6;

            Map<String, Object> row = new LinkedHashMap<>();
            row.put("retained_examples", size);
            row.put("fill_examples_per_s", size / fillSeconds);
            row.put("subject_erasure_ms", PerformanceBench.percentile(subjectMs, 50));
            row.put("subject_erasure_examples", subjectFound);
            row.put("class_erasure_ms", classMs);
            row.put("class_erasure_examples", classFound);
            row.put("class_erasure_us_per_example", 1000 * classMs / Math.max(1, classFound));
            row.put("full_scan_ms", fullScanMs);
            row.put("index_rebuild_at_start_ms", indexBuildMs);
            table.add(row);
            out.printf(" %,d retained: filled at %,.0f/s; subject erasure %.2f ms (%d examples); class erasure %.0f ms"
                    + " (%,d examples); one full scan %.0f ms; index rebuilt at start in %.0f ms%n", size, size / fillSeconds,
                    row.get("subject_erasure_ms"), subjectFound, classMs, classFound, fullScanMs, indexBuildMs);
            retained.close();
            watermarks.close();
            keyStore.close();
            io.lethe.tools.WorkFolders.deleteRecursively(stateDir);
        }
        out.printf("%n%10s %14s %16s %14s %18s %14s %16s%n", "retained", "subject ms", "class ms", "class n",
                "class us/example", "full scan ms", "index build ms");
        for (Map<String, Object> row : table) {
            out.printf("%,10d %14.2f %16.0f %,14d %18.1f %14.0f %16.0f%n", row.get("retained_examples"),
                    row.get("subject_erasure_ms"), row.get("class_erasure_ms"), row.get("class_erasure_examples"),
                    row.get("class_erasure_us_per_example"), row.get("full_scan_ms"), row.get("index_rebuild_at_start_ms"));
        }
        return table;
    }

    private static KeyValueStore<String, byte[]> rocks(MockProcessorContext<String, byte[]> context, String name) {
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private static ErasureRequest request(ErasureScope scope, String subject, Integer classLabel) {
        return ErasureRequest.newBuilder().setRequestId("bench-" + scope + "-" + subject + "-" + classLabel).setScope(scope)
                .setSubjectId(subject).setExampleIds(List.of()).setClassLabel(classLabel).setTask(null)
                .setRequestedAt(Instant.now()).setReason("bench").build();
    }

}
