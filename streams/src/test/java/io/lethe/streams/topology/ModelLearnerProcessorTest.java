package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LearnerCommand;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.TrainingExample;
import io.lethe.schemas.VersionTrigger;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestData;
import io.lethe.streams.metrics.LetheMetrics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learner processor alone, on a mock context: what it forwards for each command. */
class ModelLearnerProcessorTest {

    @TempDir
    Path dir;

    private MockProcessorContext<String, byte[]> context;
    private ModelLearnerProcessor processor;
    private long offset;

    @BeforeEach
    void start() {
        LetheConfig config = TestData.config(dir);
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000);
        for (String name : List.of(StoreNames.RETAINED_EXAMPLES, StoreNames.EVALUATION_SETS)) {
            store(name, Serdes.String(), Serdes.ByteArray());
        }
        store(StoreNames.LEARNER_JOURNAL, Serdes.Long(), Serdes.ByteArray());
        store(StoreNames.LEARNER_META, Serdes.String(), Serdes.Long());
        store(StoreNames.ERASURE_WATERMARKS, Serdes.String(), Serdes.Long());
        store(StoreNames.SUBJECT_KEYS, Serdes.String(), Serdes.ByteArray());
        processor = new ModelLearnerProcessor(config, LetheMetrics.unregistered());
        processor.init(context);
    }

    private <K, V> void store(String name, Serde<K> keys, Serde<V> values) {
        KeyValueStore<K, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, values)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
    }

    /** When the validator read the last command sent, as the learner is told. */
    private Instant lastReceivedAt;

    private void send(Object command) {
        String topic = command instanceof TrainingExample ? "lethe.examples" : "lethe.erasures";
        context.setRecordMetadata("lethe.learner-commands.test", 0, offset);
        lastReceivedAt = Instant.ofEpochMilli(System.currentTimeMillis());
        LearnerCommand wrapped = LearnerCommand.newBuilder().setSource(new SourcePosition(topic, 0, offset++))
                .setReceivedAt(lastReceivedAt).setCommand(command).build();
        processor.process(new Record<>("test-model", AvroCodec.LEARNER_COMMAND.encode(wrapped), 0L));
    }

    private List<byte[]> forwardedTo(String child) {
        return context.forwarded().stream().filter(f -> f.childName().orElse("").equals(child))
                .map(f -> (byte[]) f.record().value()).toList();
    }

    @Test
    void publishesAVersionEveryNLearnedExamplesAndLearnsARedeliveryOnce() {
        List<TrainingExample> data = TestData.examples(1, 0, 60, 6);
        data.forEach(this::send);
        send(data.get(3)); // a re-delivery
        List<byte[]> versions = forwardedTo(ModelLearnerProcessor.TO_MODEL_VERSIONS);
        assertEquals(1, versions.size(), "one version at lethe.publish.every.examples = 50");
        ModelVersion version = AvroCodec.MODEL_VERSION.decode(versions.get(0));
        assertEquals(50, version.getLineage().getExamplesLearned());
        assertEquals(VersionTrigger.EXAMPLES_LEARNED, version.getTrigger());
        assertEquals(49, version.getLineage().getInputOffsets().get(0).getOffset());
    }

    @Test
    void anErasureGetsExactlyOneReceiptAndAVersionWithoutTheSubject() {
        List<TrainingExample> data = TestData.examples(2, 0, 30, 5);
        data.forEach(this::send);
        io.lethe.schemas.ErasureRequest request = TestData.erasure("erase-1", ErasureScope.SUBJECT, "subject-1", List.of(),
                null, null);
        send(request);
        Instant validatedAt = lastReceivedAt;
        send(TestData.erasure("erase-none", ErasureScope.SUBJECT, "nobody", List.of(), null, null));

        List<ErasureReceipt> receipts = forwardedTo(ModelLearnerProcessor.TO_RECEIPTS).stream()
                .map(AvroCodec.ERASURE_RECEIPT::decode).toList();
        assertEquals(2, receipts.size());
        ErasureReceipt erased = receipts.get(0);
        assertEquals("erase-1", erased.getRequestId());
        assertEquals(ReceiptStatus.COMPLETED, erased.getStatus());
        assertEquals(6, erased.getExamplesRemoved());
        assertTrue(erased.getVerificationResidual() < 1e-9, "exact: " + erased.getVerificationResidual());
        // Where the request's time went before the learner: the first hop ends when the validator read it.
        double validationMs = validatedAt.toEpochMilli() - request.getRequestedAt().toEpochMilli();
        assertEquals(validationMs, erased.getMetrics().get("validation_ms"));
        assertTrue(erased.getMetrics().get("arrival_ms") >= validationMs, erased.getMetrics().toString());
        // The receipt attests each copy, checked: none readable in the retained store; the journal
        // still holds the 6 unlearned examples' bytes until the next snapshot (every 40 events here),
        // sealed under the subject's key, which the erasure destroyed: none of them can be read.
        assertEquals(0.0, erased.getMetrics().get("copies.retained_store_readable"));
        assertEquals(0.0, erased.getMetrics().get("copies.journal_until_next_snapshot"));
        java.util.Map<String, io.lethe.schemas.CopyAttestation> copies = new java.util.HashMap<>();
        erased.getCopies().forEach(c -> copies.put(c.getCopy(), c));
        assertEquals("shredded", copies.get("key:subject").getAction(), copies.toString());
        assertEquals(0L, copies.get("key:subject").getReadableAfter());
        assertEquals(6L, copies.get("store:learner-journal").getCount(), "the sealed events are still there");
        assertEquals(0L, copies.get("store:learner-journal").getReadableAfter(), "and none can be opened");
        assertEquals(0L, copies.get("store:retained-examples").getReadableAfter());
        KeyValueStore<String, byte[]> keyStore = context.getStateStore(StoreNames.SUBJECT_KEYS);
        String ref = io.lethe.streams.privacy.KeyEncryptionKey.fromBase64(TestData.TEST_KEK, "test").subjectRef("subject-1");
        assertNull(keyStore.get(ref), "the subject's data key is gone");
        assertEquals("none", receipts.get(1).getCopies().stream().filter(c -> c.getCopy().equals("key:subject"))
                .findFirst().orElseThrow().getAction(), "an unknown subject has no key to destroy");
        assertEquals((double) erased.getModelVersion(), erased.getMetrics().get("copies.checkpoints_revoked_below_version"));
        assertEquals(ReceiptStatus.NOTHING_TO_ERASE, receipts.get(1).getStatus());

        ModelVersion version = AvroCodec.MODEL_VERSION.decode(forwardedTo(ModelLearnerProcessor.TO_MODEL_VERSIONS).get(0));
        assertEquals(VersionTrigger.ERASURE, version.getTrigger());
        assertEquals(erased.getModelVersion(), version.getVersion());
        assertEquals(24, version.getLineage().getExamplesRetained());
        assertEquals(List.of("erase-1"), version.getLineage().getErasureRequestIds());
        assertTrue(context.committed(), "the receipt is committed at once");

        // An example of the erased subject produced before the request stays erased when it arrives late.
        send(TrainingExample.newBuilder(data.get(1)).setExampleId("late").build());
        send(TrainingExample.newBuilder(data.get(2)).setExampleId("fresh").build()); // subject-2: learned
        assertEquals(25, retainedAfterFlush());
    }

    @Test
    void aDueSnapshotWaitsOutAnErasureAndIsTakenWhenInputPauses() {
        // Snapshots every 40 journal events, versions every 50 examples: 45 examples leave one due.
        TestData.examples(6, 0, 45, 9).forEach(this::send);
        KeyValueStore<String, Long> meta = context.getStateStore(StoreNames.LEARNER_META);
        Long before = meta.get(DurableLearner.META_SNAPSHOT_SEQ);
        send(TestData.erasure("erase-2", ErasureScope.SUBJECT, "subject-2", List.of(), null, null));
        assertEquals(1, forwardedTo(ModelLearnerProcessor.TO_RECEIPTS).size());
        assertEquals(before, meta.get(DurableLearner.META_SNAPSHOT_SEQ), "no snapshot on the erasure's path");
        var punctuators = context.scheduledPunctuators();
        punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(System.currentTimeMillis() + 10_000);
        Long after = meta.get(DurableLearner.META_SNAPSHOT_SEQ);
        assertTrue(after != null && (before == null || after > before), "the due snapshot, once input paused: " + after);
        KeyValueStore<Long, byte[]> journal = context.getStateStore(StoreNames.LEARNER_JOURNAL);
        try (var left = journal.all()) {
            assertTrue(!left.hasNext(), "the journal is cut back to the snapshot");
        }
    }

    /** Lets input pause, so the learner publishes what it has, and returns that version's retained count. */
    private long retainedAfterFlush() {
        var punctuators = context.scheduledPunctuators(); // the newest processor's, after a restart
        punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(System.currentTimeMillis() + 10_000);
        List<byte[]> versions = forwardedTo(ModelLearnerProcessor.TO_MODEL_VERSIONS);
        return AvroCodec.MODEL_VERSION.decode(versions.get(versions.size() - 1)).getLineage().getExamplesRetained();
    }

    @Test
    void aMalformedCommandIsDeadLetteredAndTheNextOneIsLearned() {
        context.setRecordMetadata("lethe.learner-commands.test", 0, 0);
        processor.process(new Record<>("test-model", new byte[] {1, 2, 3}, 0L));
        assertEquals(1, forwardedTo(ModelLearnerProcessor.TO_DEAD_LETTERS).size());
        TestData.examples(3, 0, 50, 5).forEach(this::send);
        assertEquals(50, AvroCodec.MODEL_VERSION.decode(forwardedTo(ModelLearnerProcessor.TO_MODEL_VERSIONS).get(0))
                .getLineage().getExamplesLearned());
    }

    @Test
    void aRestartAfterASubjectErasureCannotReadTheErasedBytesAndRebuildsExactly() throws Exception {
        LetheConfig config = TestData.config(dir);
        List<TrainingExample> data = TestData.examples(4, 0, 64, 8);
        data.forEach(this::send); // a snapshot at the version after 50 events; 14 journal events after it
        send(TestData.erasure("erase-s1", ErasureScope.SUBJECT, "subject-1", List.of(), null, null));
        KeyValueStore<Long, byte[]> journal = context.getStateStore(StoreNames.LEARNER_JOURNAL);
        long sealedUnlearnEvents = 0;
        try (var all = journal.all()) {
            while (all.hasNext()) {
                JournalEvent event = JournalEvent.decode(all.next().value);
                if (!event.learn()) {
                    assertTrue(io.lethe.streams.privacy.SealedValue.isSealed(event.exampleBytes()));
                    sealedUnlearnEvents++;
                }
            }
        }
        assertTrue(sealedUnlearnEvents > 0, "the journal holds the erased examples, sealed, until the next snapshot");

        // A restart: a new processor over the committed stores. The snapshot holds subject-1, whose key
        // is gone, so the journal cannot unlearn it again: the learner is rebuilt from what is retained.
        processor = new ModelLearnerProcessor(config, LetheMetrics.unregistered());
        processor.init(context);
        send(TestData.examples(4, 500, 1, 8).get(0)); // subject-0, learned after the restart
        List<TrainingExample> retained = new java.util.ArrayList<>(data.stream()
                .filter(e -> !e.getSubjectId().equals("subject-1")).toList());
        retained.add(TestData.examples(4, 500, 1, 8).get(0));
        assertEquals(retained.size(), retainedAfterFlush());
        List<byte[]> versions = forwardedTo(ModelLearnerProcessor.TO_MODEL_VERSIONS);
        ModelVersion last = AvroCodec.MODEL_VERSION.decode(versions.get(versions.size() - 1));
        io.lethe.learning.analytic.RidgeModel model = new io.lethe.modelstore.CheckpointStore(config.modelStoreDir())
                .read(java.net.URI.create(last.getCheckpointUri()), last.getSha256(), io.lethe.learning.analytic.RidgeModel.class);
        io.lethe.learning.analytic.RidgeModel direct = TestData.directSolve(config, retained, model.classes());
        double distance = io.lethe.learning.analytic.RidgeSolver.relativeFrobenius(model.weights(), direct.weights());
        assertTrue(distance < 1e-9, "exact after the rebuild: " + distance);
    }
}
