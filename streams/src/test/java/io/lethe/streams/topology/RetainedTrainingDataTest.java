package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestData;
import io.lethe.streams.erasure.HoldOutRule;
import io.lethe.streams.privacy.SubjectKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remain sample: as many per class as the size allows, the same whatever order the store was filled in. */
class RetainedTrainingDataTest {

    @TempDir
    Path dir;

    private int stores;

    private RetainedTrainingData filled(List<TrainingExample> examples, SubjectKeys keys, MockProcessorContext<?, ?> context) {
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("retained-" + stores++),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        for (TrainingExample e : examples) {
            String key = RetainedExamples.key(e);
            store.put(key, keys.seal(RetainedExamples.refOf(key), AvroCodec.TRAINING_EXAMPLE.encode(e)));
        }
        return new RetainedTrainingData(store, keys, HoldOutRule.NONE);
    }

    @Test
    void theSampleIsClassStratifiedSeededAndIndependentOfInsertionOrder() {
        LetheConfig config = TestData.config(dir);
        MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        SubjectKeys keys = TestData.subjectKeys(config, context);
        List<TrainingExample> examples = TestData.examples(17, 0, 200, 10); // labels cycle over 4 classes
        List<TrainingExample> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, new java.util.Random(3));

        RetainedTrainingData.Scan a = filled(examples, keys, context).scan(40, 99, TestData.CLASSES);
        RetainedTrainingData.Scan b = filled(shuffled, keys, context).scan(40, 99, TestData.CLASSES);
        RetainedTrainingData.Scan other = filled(examples, keys, context).scan(40, 100, TestData.CLASSES);

        assertEquals(200, a.count());
        assertEquals(40, a.sample().size());
        Map<Integer, Long> perClass = a.sample().stream().collect(Collectors.groupingBy(TrainingExample::getLabel,
                Collectors.counting()));
        assertEquals(Map.of(0, 10L, 1, 10L, 2, 10L, 3, 10L), perClass, "the same number from every class");
        assertEquals(a.sample().stream().map(RetainedExamples::key).toList(),
                b.sample().stream().map(RetainedExamples::key).toList(), "the store's order does not matter");
        assertTrue(!a.sample().stream().map(RetainedExamples::key).toList()
                .equals(other.sample().stream().map(RetainedExamples::key).toList()), "another seed draws another sample");
        List<RetainedTrainingData.Entry> ordered = filled(shuffled, keys, context).inStreamOrder();
        for (int i = 1; i < ordered.size(); i++) {
            assertTrue(!ordered.get(i).example().getEventTime().isBefore(ordered.get(i - 1).example().getEventTime()),
                    "retraining learns in stream order");
        }
    }
}
