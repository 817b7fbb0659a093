package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.topology.LetheTopology;
import io.lethe.streams.topology.StoreNames;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gradient learner in the topology: replay buffer in its store, bounded, purged by erasure. */
class GradientLearnerTopologyTest {

    private static final int CAPACITY = 24;

    @TempDir
    Path dir;
    private LetheConfig config;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> examples;
    private TestInputTopic<String, byte[]> erasures;
    private TestOutputTopic<String, byte[]> versions;
    private TestOutputTopic<String, byte[]> receipts;
    private TestOutputTopic<String, byte[]> evaluations;

    @BeforeEach
    void start() {
        start("0");
    }

    private void start(String windowMs) {
        start(windowMs, "0");
    }

    private void start(String windowMs, String holdoutPercent) {
        // These tests follow the approximate path's receipts: the policy that may retrain is off.
        start(windowMs, holdoutPercent, "lethe.unlearning.guard", "false");
    }

    private void start(String windowMs, String holdoutPercent, String... more) {
        if (driver != null) {
            driver.close();
        }
        List<String> settings = new ArrayList<>(List.of("lethe.learner", "mlp", "lethe.mlp.hidden", "16",
                "lethe.mlp.batch.size", "8", "lethe.replay.capacity", Integer.toString(CAPACITY), "lethe.rehearsal.budget", "4",
                "lethe.replay.policy", "class-balanced", "lethe.erasure.batch.window.ms", windowMs,
                "lethe.state.dir", dir.resolve("state-" + windowMs).toString(), "lethe.holdout.percent", holdoutPercent));
        settings.addAll(List.of(more));
        config = TestData.config(dir, settings.toArray(String[]::new));
        Properties props = TestData.driverProperties(dir.resolve("streams"), "gradient-topology-test");
        driver = new TopologyTestDriver(LetheTopology.build(config), props);
        examples = driver.createInputTopic(LetheTopics.EXAMPLES, new StringSerializer(), new ByteArraySerializer());
        erasures = driver.createInputTopic(LetheTopics.ERASURES, new StringSerializer(), new ByteArraySerializer());
        versions = driver.createOutputTopic(LetheTopics.MODEL_VERSIONS, new StringDeserializer(), new ByteArrayDeserializer());
        receipts = driver.createOutputTopic(LetheTopics.ERASURE_RECEIPTS, new StringDeserializer(), new ByteArrayDeserializer());
        evaluations = driver.createOutputTopic(LetheTopics.EVALUATIONS, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private List<String> bufferKeys() {
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(StoreNames.REPLAY_BUFFER);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            all.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    /** Learns 120 examples of 6 subjects, erases subject 2 (20 examples); its receipt, checked complete. */
    private ErasureReceipt learnThenEraseSubject2(String requestId) {
        for (TrainingExample e : TestData.examples(5, 0, 120, 6)) {
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
        erasures.pipeInput("subject-2", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure(requestId, ErasureScope.SUBJECT, "subject-2", List.of(), null, null)));
        ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(receipts.readValue());
        assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
        assertEquals(20, receipt.getExamplesRemoved());
        return receipt;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"iau", "gs-lora", "sfr-on-sam", "gradient-ascent-sam"})
    void everyUnlearningMethodServesAnErasureInTheStreamWithItsReceiptMetrics(String method) {
        start("0", "0", "lethe.unlearning.guard", "false", "lethe.unlearning.method", method);
        ErasureReceipt receipt = learnThenEraseSubject2("erase-" + method);
        assertTrue(receipt.getVerificationMethod().contains("approximate-" + method), receipt.getVerificationMethod());
        assertTrue(receipt.getMetrics().containsKey("forget_accuracy"), receipt.getMetrics().toString());
        assertTrue(receipt.getMetrics().containsKey("retained_accuracy_replay_buffer"), receipt.getMetrics().toString());
        assertEquals(20.0, receipt.getMetrics().get("examples_unlearned"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"ewc", "kfpf"})
    void aTrainingStrategyLearnsInTheStreamAndServesErasures(String strategy) {
        start("0", "0", "lethe.unlearning.guard", "false", "lethe.strategy", strategy);
        learnThenEraseSubject2("erase-" + strategy);
        ModelVersion version = AvroCodec.MODEL_VERSION.decode(versions.readValuesToList().get(0));
        assertEquals(strategy, version.getLineage().getLearnerConfig().get("strategy"), "the lineage names the strategy");
    }

    @Test
    void learnsWithABoundedBufferAndErasurePurgesItFromEveryStore() throws Exception {
        List<TrainingExample> data = TestData.examples(5, 0, 120, 6);
        for (TrainingExample e : data) {
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
            assertTrue(bufferKeys().size() <= CAPACITY, "the buffer never exceeds its capacity");
        }
        List<String> stored = bufferKeys();
        assertEquals(CAPACITY, stored.size());
        String ref = io.lethe.streams.privacy.KeyEncryptionKey.fromBase64(TestData.TEST_KEK, "test").subjectRef("subject-2");
        assertTrue(stored.stream().anyMatch(k -> k.startsWith(ref + "\u0000")), "the subject is in the buffer");
        assertTrue(stored.stream().noneMatch(k -> k.contains("subject-")), "stores know subjects by reference only");

        erasures.pipeInput("subject-2", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("erase-2", ErasureScope.SUBJECT, "subject-2", List.of(), null, null)));
        ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(receipts.readValue());
        assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
        assertEquals(20, receipt.getExamplesRemoved());
        assertTrue(receipt.getVerificationMethod().contains("approximate-sfr-on"), receipt.getVerificationMethod());
        assertTrue(receipt.getMetrics().get("forget_accuracy") <= receipt.getMetrics().get("forget_accuracy_before"),
                receipt.getMetrics().toString());
        assertEquals(20.0, receipt.getMetrics().get("examples_unlearned"));
        assertTrue(receipt.getMetrics().containsKey("retained_accuracy_replay_buffer"));
        // The network snapshots right after an erasure: the journal no longer holds the erased bytes.
        assertEquals(0.0, receipt.getMetrics().get("copies.journal_until_next_snapshot"), receipt.getMetrics().toString());
        assertEquals(0.0, receipt.getMetrics().get("copies.retained_store_readable"));
        io.lethe.schemas.EvaluationReport report = AvroCodec.EVALUATION_REPORT.decode(evaluations.readValue());
        assertEquals(receipt.getModelVersion(), report.getModelVersion());
        assertEquals(receipt.getMetrics().get("ua"), report.getMetrics().get("unlearning.ua"),
                "the metrics topic carries the receipt's measurements");
        assertNull(receipt.getVerificationResidual(), "no residual is claimed for approximate unlearning");
        assertFalse(bufferKeys().stream().anyMatch(k -> k.startsWith(ref + "\u0000")), "purged from the buffer");
        KeyValueStore<Long, byte[]> journal = driver.getKeyValueStore(StoreNames.LEARNER_JOURNAL);
        try (KeyValueIterator<Long, byte[]> all = journal.all()) {
            assertFalse(all.hasNext(), "a snapshot after the erasure cut the journal, erased bytes included");
        }
        KeyValueStore<String, byte[]> retained = driver.getKeyValueStore(StoreNames.RETAINED_EXAMPLES);
        try (KeyValueIterator<String, byte[]> all = retained.all()) {
            all.forEachRemaining(kv -> {
                assertFalse(kv.key.startsWith(ref + "\u0000"));
                assertTrue(io.lethe.streams.privacy.SealedValue.isSealed(kv.value), "retained values are sealed");
            });
        }

        List<ModelVersion> published = new ArrayList<>();
        versions.readValuesToList().forEach(v -> published.add(AvroCodec.MODEL_VERSION.decode(v)));
        ModelVersion erased = published.stream().filter(v -> v.getVersion() == receipt.getModelVersion()).findFirst()
                .orElseThrow();
        assertEquals(100, erased.getLineage().getExamplesRetained());
        assertEquals("mlp", erased.getLineage().getLearnerConfig().get("learner"));
        io.lethe.modelstore.CheckpointEnvelope.Contents checkpoint = new CheckpointStore(config.modelStoreDir())
                .load(URI.create(erased.getCheckpointUri()), erased.getSha256());
        assertEquals(erased.getVersion(), checkpoint.provenance().version());
        assertEquals(100, checkpoint.provenance().examplesRetained(), "the checkpoint is the network after unlearning");
        assertEquals(List.of(receipt.getRequestId()), checkpoint.provenance().erasureRequestIds());
        assertEquals(io.lethe.learning.gradient.NetworkPredictor.KIND, checkpoint.predictor().kind());

        // New examples keep flowing into the freed places.
        for (TrainingExample e : TestData.examples(6, 120, 40, 6)) {
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
        driver.advanceWallClockTime(Duration.ofMillis(1000));
        assertTrue(bufferKeys().size() <= CAPACITY);
    }

    @Test
    void erasuresInABurstAreUnlearnedOnceAndEachGetsItsReceipt() {
        start("300", "20");
        for (TrainingExample e : TestData.examples(8, 0, 120, 6)) {
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
        driver.advanceWallClockTime(Duration.ofMillis(1000));
        versions.readValuesToList();
        for (String subject : List.of("subject-1", "subject-4", "nobody")) {
            erasures.pipeInput(subject, AvroCodec.ERASURE_REQUEST.encode(
                    TestData.erasure("erase-" + subject, ErasureScope.SUBJECT, subject, List.of(), null, null)));
        }
        assertTrue(receipts.isEmpty(), "receipts wait for the end of the window");
        assertTrue(bufferKeys().stream().noneMatch(k -> k.startsWith(TestData.ref("subject-1") + "\u0000") || k.startsWith(TestData.ref("subject-4") + "\u0000")),
                "the buffer is purged at once, not at the end of the window");
        driver.advanceWallClockTime(Duration.ofMillis(400));
        List<ErasureReceipt> answered = new ArrayList<>();
        receipts.readValuesToList().forEach(v -> answered.add(AvroCodec.ERASURE_RECEIPT.decode(v)));
        assertEquals(3, answered.size(), "one receipt per request");
        ErasureReceipt one = answered.stream().filter(r -> r.getRequestId().equals("erase-subject-1")).findFirst().orElseThrow();
        ErasureReceipt four = answered.stream().filter(r -> r.getRequestId().equals("erase-subject-4")).findFirst().orElseThrow();
        ErasureReceipt none = answered.stream().filter(r -> r.getRequestId().equals("erase-nobody")).findFirst().orElseThrow();
        assertEquals(ReceiptStatus.NOTHING_TO_ERASE, none.getStatus());
        assertEquals(20, one.getExamplesRemoved(), "held-out examples of the subject are erased too");
        assertEquals(20, four.getExamplesRemoved());
        assertEquals(one.getModelVersion(), four.getModelVersion(), "one unlearning run, one version");
        assertEquals(3.0, one.getMetrics().get("requests_in_batch"));
        // About a fifth of the examples are held out (stored, never learned): only the learned ones are unlearned.
        double unlearned = one.getMetrics().get("examples_unlearned");
        assertTrue(unlearned > 20 && unlearned < 40, "both subjects unlearned together, held-out ones excluded: " + unlearned);
        assertTrue(one.getMetrics().containsKey("test_accuracy_holdout"), one.getMetrics().toString());
        assertTrue(one.getMetrics().get("mia_efficacy") >= 0 && one.getMetrics().get("mia_efficacy") <= 100);
        List<ModelVersion> published = new ArrayList<>();
        versions.readValuesToList().forEach(v -> published.add(AvroCodec.MODEL_VERSION.decode(v)));
        assertEquals(1, published.size());
        assertEquals(List.of("erase-subject-1", "erase-subject-4"), published.get(0).getLineage().getErasureRequestIds());
        long heldOutOfOthers = 120 - 40 - published.get(0).getLineage().getExamplesRetained();
        assertTrue(heldOutOfOthers > 5 && heldOutOfOthers < 35, "held-out examples are never learned: " + heldOutOfOthers);
    }

    @Test
    void anErasureTooLargeForApproximationRetrainsTheNetworkFromTheRetainedStore() {
        start("0", "10", "lethe.unlearning.exact.fraction", "0.05"); // the policy on, as by default
        List<TrainingExample> data = TestData.examples(9, 0, 120, 6);
        for (TrainingExample e : data) {
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
        erasures.pipeInput("subject-3", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("erase-3", ErasureScope.SUBJECT, "subject-3", List.of(), null, null)));
        ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(receipts.readValue());
        assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
        assertEquals("exact-retrain", receipt.getVerificationMethod(), "a sixth of the data is over 5 %: retrained");
        assertTrue(receipt.getMessage().contains("retrained from the retained examples only"), receipt.getMessage());
        assertEquals(1.0, receipt.getMetrics().get("guard_size_exceeded"));
        assertTrue(receipt.getMetrics().get("retrain_ms") > 0);
        String ref = TestData.ref("subject-3") + "\u0000";
        assertTrue(bufferKeys().stream().noneMatch(k -> k.startsWith(ref)), "the retrained buffer holds none of them");
        assertEquals(CAPACITY, bufferKeys().size(), "and is full again, from the retained examples");
    }

    @Test
    void examplesArrivingDuringAnErasureWindowAreLearnedOnceWhenTheWindowRetrains() {
        start("300", "10", "lethe.unlearning.exact.fraction", "0.05"); // the policy on, as by default
        List<TrainingExample> data = TestData.examples(9, 0, 125, 6);
        for (TrainingExample e : data.subList(0, 120)) {
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
        erasures.pipeInput("subject-3", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("erase-3", ErasureScope.SUBJECT, "subject-3", List.of(), null, null)));
        for (TrainingExample e : data.subList(120, 125)) { // fewer than a batch: they wait, pending, in the window
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
        driver.advanceWallClockTime(Duration.ofMillis(400));
        ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(receipts.readValue());
        assertEquals("exact-retrain", receipt.getVerificationMethod());
        var holdOut = config.learner().holdOutRule();
        long training = data.stream().filter(e -> !e.getSubjectId().equals("subject-3") && !holdOut.holdsOut(e)).count();
        List<ModelVersion> published = new ArrayList<>();
        versions.readValuesToList().forEach(v -> published.add(AvroCodec.MODEL_VERSION.decode(v)));
        assertEquals(training, published.get(published.size() - 1).getLineage().getExamplesRetained(),
                "the retraining learned the window's examples; they are not learned a second time after it");
    }

    @Test
    void withShardsAnErasureRetrainsOnlyTheSubjectsShardAndTheCheckpointIsTheEnsemble() throws Exception {
        start("0", "0", "lethe.network.shards", "3");
        List<TrainingExample> data = TestData.examples(13, 0, 180, 9);
        for (TrainingExample e : data) {
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
        erasures.pipeInput("subject-4", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("erase-4", ErasureScope.SUBJECT, "subject-4", List.of(), null, null)));
        ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(receipts.readValue());
        assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
        assertEquals("exact-sisa-retrain", receipt.getVerificationMethod());
        assertEquals(1.0, receipt.getMetrics().get("shards_retrained"), "one subject lives in one shard");
        assertEquals(3.0, receipt.getMetrics().get("shards"));
        String ref = TestData.ref("subject-4") + "\u0000";
        assertTrue(bufferKeys().stream().noneMatch(k -> k.startsWith(ref)), "no erased example in any buffer");
        List<ModelVersion> published = new ArrayList<>();
        versions.readValuesToList().forEach(v -> published.add(AvroCodec.MODEL_VERSION.decode(v)));
        ModelVersion last = published.get(published.size() - 1);
        assertEquals(receipt.getModelVersion(), last.getVersion());
        var predictor = new io.lethe.modelstore.CheckpointStore(config.modelStoreDir())
                .load(java.net.URI.create(last.getCheckpointUri()), last.getSha256()).predictor();
        assertEquals(io.lethe.learning.gradient.ShardedPredictor.KIND, predictor.kind());
        assertEquals(3, ((io.lethe.learning.gradient.ShardedPredictor) predictor).shards().size());
    }
}
