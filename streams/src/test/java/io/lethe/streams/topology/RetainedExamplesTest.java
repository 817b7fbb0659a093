package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestData;
import io.lethe.streams.privacy.SubjectKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each kind of erasure finds in the retained store, through the index, against a plain filter of what was put. */
class RetainedExamplesTest {

    @TempDir
    Path dir;

    private KeyValueStore<String, byte[]> retained;
    private KeyValueStore<String, Long> watermarks;
    private SubjectKeys keys;
    private final List<TrainingExample> data = TestData.examples(5, 0, 90, 6);

    @BeforeEach
    void stores() {
        LetheConfig config = TestData.config(dir);
        MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        retained = store(context, StoreNames.RETAINED_EXAMPLES);
        watermarks = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.ERASURE_WATERMARKS), Serdes.String(),
                Serdes.Long()).withLoggingDisabled().build();
        watermarks.init(context.getStateStoreContext(), watermarks);
        keys = TestData.subjectKeys(config, context);
    }

    private static KeyValueStore<String, byte[]> store(MockProcessorContext<String, byte[]> context, String name) {
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private RetainedExamples filled() {
        RetainedExamples store = new RetainedExamples(retained, watermarks, keys);
        data.forEach(e -> store.put(RetainedExamples.key(e), e, AvroCodec.TRAINING_EXAMPLE.encode(e)));
        return store;
    }

    private static Set<String> ids(List<RetainedExamples.Erased> matches) {
        return matches.stream().map(erased -> AvroCodec.TRAINING_EXAMPLE.decode(erased.bytes()).getExampleId())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<String> idsWhere(java.util.function.Predicate<TrainingExample> p) {
        return data.stream().filter(p).map(TrainingExample::getExampleId).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void classTaskAndBareIdErasuresFindExactlyTheirExamplesAndLeaveNoIndexEntryBehind() {
        RetainedExamples store = filled();
        int label = data.get(0).getLabel();
        int task = data.get(1).getTask();
        Set<String> ofClass = idsWhere(e -> e.getLabel() == label);
        assertEquals(ofClass, ids(store.erase(TestData.erasure("c", ErasureScope.CLASS, null, List.of(), label, null))));
        Set<String> ofTask = idsWhere(e -> e.getTask() == task && e.getLabel() != label);
        assertEquals(ofTask, ids(store.erase(TestData.erasure("t", ErasureScope.TASK, null, List.of(), null, task))));
        TrainingExample some = data.stream().filter(e -> e.getLabel() != label && e.getTask() != task).findFirst().orElseThrow();
        assertEquals(Set.of(some.getExampleId()), ids(store.erase(TestData.erasure("e", ErasureScope.EXAMPLES, null,
                List.of(some.getExampleId(), "no-such-id"), null, null))));
        String subject = some.getSubjectId();
        Set<String> ofSubject = idsWhere(e -> e.getSubjectId().equals(subject) && e.getLabel() != label && e.getTask() != task
                && !e.getExampleId().equals(some.getExampleId()));
        assertEquals(ofSubject, ids(store.erase(TestData.erasure("s", ErasureScope.SUBJECT, subject, List.of(), null, null))));

        Set<String> left = new TreeSet<>();
        store.forEach((key, bytes) -> left.add(AvroCodec.TRAINING_EXAMPLE.decode(bytes).getExampleId()));
        Set<String> expected = idsWhere(e -> e.getLabel() != label && e.getTask() != task
                && !e.getExampleId().equals(some.getExampleId()) && !e.getSubjectId().equals(subject));
        assertEquals(expected, left, "exactly the other examples stay");
        assertEquals(Set.of(), ids(store.erase(TestData.erasure("c2", ErasureScope.CLASS, null, List.of(), label, null))),
                "the index forgot the erased examples");
    }

    /** contains answers from the index alone: after puts, erasures and a restart it must agree with a read of the store. */
    @Test
    void containsAgreesWithTheStoreAfterPutsErasuresAndARestart() {
        RetainedExamples store = filled();
        TrainingExample other = TestData.examples(1, 0, 1, 6).get(0);
        other.setExampleId(data.get(0).getExampleId()); // the same example id under another subject: another key
        other.setSubjectId("someone-else");
        List<String> probes = new java.util.ArrayList<>(data.stream().map(RetainedExamples::key).toList());
        probes.add(RetainedExamples.key(other));
        probes.add("no-such-subject" + RetainedExamples.KEY_SEPARATOR + data.get(0).getExampleId());
        assertAgrees(store, probes);
        store.erase(TestData.erasure("c", ErasureScope.CLASS, null, List.of(), data.get(0).getLabel(), null));
        store.erase(TestData.erasure("s", ErasureScope.SUBJECT, data.get(1).getSubjectId(), List.of(), null, null));
        assertAgrees(store, probes);
        store.put(RetainedExamples.key(other), other, AvroCodec.TRAINING_EXAMPLE.encode(other));
        assertAgrees(store, probes);
        assertAgrees(new RetainedExamples(retained, watermarks, keys), probes);
    }

    private void assertAgrees(RetainedExamples store, List<String> probes) {
        long held = 0;
        for (String key : probes) {
            boolean inStore = retained.get(key) != null;
            held += inStore ? 1 : 0;
            assertEquals(inStore, store.contains(key), key);
        }
        org.junit.jupiter.api.Assertions.assertTrue(held > 0 && held < probes.size(), "probes both held and absent");
    }

    @Test
    void aRestartRebuildsTheIndexFromTheStore() {
        filled();
        RetainedExamples restarted = new RetainedExamples(retained, watermarks, keys);
        int label = data.get(0).getLabel();
        assertEquals(idsWhere(e -> e.getLabel() == label),
                ids(restarted.erase(TestData.erasure("c", ErasureScope.CLASS, null, List.of(), label, null))));
    }
}
