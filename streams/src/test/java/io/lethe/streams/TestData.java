package io.lethe.streams;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.analytic.JointRidge;
import io.lethe.learning.analytic.RidgeModel;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.topology.ExampleBatches;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;

/** Small synthetic examples and configurations for topology tests. */
public final class TestData {

    public static final int DIM = 16;
    public static final int CLASSES = 4;

    /** The tests' key-encryption key (a fixed one, so that runs compare; never a real deployment's). */
    public static final String TEST_KEK = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

    private TestData() {
    }

    /** What stands for a subject id in the stores under the tests' key-encryption key. */
    public static String ref(String subjectId) {
        return io.lethe.streams.privacy.KeyEncryptionKey.fromBase64(TEST_KEK, "test").subjectRef(subjectId);
    }

    /** Subject keys on a fresh in-memory store, under the configuration's key-encryption key. */
    public static io.lethe.streams.privacy.SubjectKeys subjectKeys(LetheConfig config,
            org.apache.kafka.streams.processor.api.MockProcessorContext<?, ?> context) {
        var store = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(
                        io.lethe.streams.topology.StoreNames.SUBJECT_KEYS),
                org.apache.kafka.common.serialization.Serdes.String(),
                org.apache.kafka.common.serialization.Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return io.lethe.streams.privacy.SubjectKeys.open(config.privacy().loadKek(), store);
    }

    /** Settings as a properties file would give them: key, value, key, value, ... */
    public static Properties settings(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    public static LetheConfig config(Path dir) {
        return config(dir, new String[0]);
    }

    /** The test configuration with some settings replaced: key, value, key, value, ... */
    public static LetheConfig config(Path dir, String... overrides) {
        Properties p = new Properties();
        p.setProperty("lethe.feature.map", "dense-relu");
        p.setProperty("lethe.feature.dense.features", "48");
        p.setProperty("lethe.input.dim", Integer.toString(DIM));
        p.setProperty("lethe.max.classes", Integer.toString(CLASSES));
        p.setProperty("lethe.learn.batch.size", "8");
        p.setProperty("lethe.publish.every.examples", "50");
        p.setProperty("lethe.snapshot.every.examples", "40");
        p.setProperty("lethe.publish.idle.ms", "500");
        p.setProperty("lethe.input.partitions", "2");
        p.setProperty("lethe.state.dir", dir.resolve("state").toString());
        p.setProperty("lethe.model.store.dir", dir.resolve("models").toString());
        p.setProperty("lethe.model.name", "test-model");
        p.setProperty("lethe.holdout.percent", "0");
        p.setProperty("lethe.metrics.port", "-1");
        p.setProperty("lethe.dashboard.port", "-1");
        p.setProperty("lethe.kek", TEST_KEK);
        for (int i = 0; i < overrides.length; i += 2) {
            p.setProperty(overrides[i], overrides[i + 1]);
        }
        return LetheConfig.from(p);
    }

    /** TopologyTestDriver properties: exactly_once_v2, state under the given folder. */
    public static java.util.Properties driverProperties(Path stateDir, String applicationId) {
        java.util.Properties props = new java.util.Properties();
        props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(org.apache.kafka.streams.StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                org.apache.kafka.streams.StreamsConfig.EXACTLY_ONCE_V2);
        return props;
    }

    /** n examples over the given number of subjects; label and task depend on the index. */
    public static List<TrainingExample> examples(long seed, int from, int n, int subjects) {
        SplittableRandom random = new SplittableRandom(seed + from);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            int label = i % CLASSES;
            List<Float> features = new ArrayList<>(DIM);
            for (int j = 0; j < DIM; j++) {
                features.add((float) (((j * 7 + label * 3) % 5) / 5.0 + 0.3 * random.nextGaussian()));
            }
            out.add(TrainingExample.newBuilder().setExampleId("ex-" + i).setSubjectId("subject-" + (i % subjects))
                    .setTask(label / 2).setLabel(label).setPixels(null).setFeatures(features)
                    .setEventTime(Instant.ofEpochMilli(1000L + i)).build());
        }
        return out;
    }

    /** The same examples stamped with the given event time. */
    public static List<TrainingExample> withEventTime(List<TrainingExample> examples, Instant time) {
        List<TrainingExample> out = new ArrayList<>();
        for (TrainingExample e : examples) {
            out.add(TrainingExample.newBuilder(e).setEventTime(time).build());
        }
        return out;
    }

    public static ErasureRequest erasure(String id, ErasureScope scope, String subject, List<String> exampleIds,
                                         Integer classLabel, Integer task) {
        return ErasureRequest.newBuilder().setRequestId(id).setScope(scope).setSubjectId(subject)
                .setExampleIds(exampleIds).setClassLabel(classLabel).setTask(task)
                .setRequestedAt(Instant.now()).setReason("test").build();
    }

    /** Ridge trained directly on the given examples, class columns in the given order. */
    public static RidgeModel directSolve(LetheConfig config, List<TrainingExample> examples, int[] classes) {
        LabeledBatch batch = ExampleBatches.of(examples, DIM);
        return JointRidge.fit(config.featureMap(), config.ridgeGamma(), classes, 1, b -> batch);
    }
}
