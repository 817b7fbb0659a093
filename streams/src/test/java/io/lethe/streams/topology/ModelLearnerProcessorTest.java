package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        processor = new ModelLearnerProcessor(config, LetheMetrics.unregistered());
        processor.init(context);
    }

    private <K, V> void store(String name, Serde<K> keys, Serde<V> values) {
        KeyValueStore<K, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, values)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
    }

    private void send(Object command) {
        String topic = command instanceof TrainingExample ? "lethe.examples" : "lethe.erasures";
        context.setRecordMetadata("lethe.learner-commands.test", 0, offset);
        LearnerCommand wrapped = LearnerCommand.newBuilder().setSource(new SourcePosition(topic, 0, offset++))
                .setReceivedAt(Instant.now()).setCommand(command).build();
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
        send(TestData.erasure("erase-1", ErasureScope.SUBJECT, "subject-1", List.of(), null, null));
        send(TestData.erasure("erase-none", ErasureScope.SUBJECT, "nobody", List.of(), null, null));

        List<ErasureReceipt> receipts = forwardedTo(ModelLearnerProcessor.TO_RECEIPTS).stream()
                .map(AvroCodec.ERASURE_RECEIPT::decode).toList();
        assertEquals(2, receipts.size());
        ErasureReceipt erased = receipts.get(0);
        assertEquals("erase-1", erased.getRequestId());
        assertEquals(ReceiptStatus.COMPLETED, erased.getStatus());
        assertEquals(6, erased.getExamplesRemoved());
        assertTrue(erased.getVerificationResidual() < 1e-9, "exact: " + erased.getVerificationResidual());
        // The receipt attests each copy, checked: none readable in the retained store; the journal
        // still holds the 6 unlearned examples' bytes until the next snapshot (every 40 events here).
        assertEquals(0.0, erased.getMetrics().get("copies.retained_store_readable"));
        assertEquals(6.0, erased.getMetrics().get("copies.journal_until_next_snapshot"));
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

    /** Lets input pause, so the learner publishes what it has, and returns that version's retained count. */
    private long retainedAfterFlush() {
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(System.currentTimeMillis() + 10_000);
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
}
