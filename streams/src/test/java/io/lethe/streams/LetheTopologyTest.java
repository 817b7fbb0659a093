package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.analytic.RidgeSolver;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.DeadLetter;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology end to end in {@link TopologyTestDriver}: learning, exact erasure, receipts, dead letters. */
class LetheTopologyTest {

    @TempDir
    Path dir;
    private LetheConfig config;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> examples;
    private TestInputTopic<String, byte[]> erasures;
    private TestOutputTopic<String, byte[]> versions;
    private TestOutputTopic<String, byte[]> receipts;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void start() {
        config = TestData.config(dir);
        Properties props = TestData.driverProperties(dir.resolve("streams"), "topology-test");
        driver = new TopologyTestDriver(LetheTopology.build(config), props);
        examples = driver.createInputTopic(LetheTopics.EXAMPLES, new StringSerializer(), new ByteArraySerializer());
        erasures = driver.createInputTopic(LetheTopics.ERASURES, new StringSerializer(), new ByteArraySerializer());
        versions = driver.createOutputTopic(LetheTopics.MODEL_VERSIONS, new StringDeserializer(), new ByteArrayDeserializer());
        receipts = driver.createOutputTopic(LetheTopics.ERASURE_RECEIPTS, new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(LetheTopics.DEAD_LETTERS, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void send(List<TrainingExample> batch) {
        for (TrainingExample e : batch) {
            examples.pipeInput(e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
    }

    private List<ModelVersion> readVersions() {
        List<ModelVersion> out = new ArrayList<>();
        versions.readValuesToList().forEach(v -> out.add(AvroCodec.MODEL_VERSION.decode(v)));
        return out;
    }

    private List<ErasureReceipt> readReceipts() {
        List<ErasureReceipt> out = new ArrayList<>();
        receipts.readValuesToList().forEach(v -> out.add(AvroCodec.ERASURE_RECEIPT.decode(v)));
        return out;
    }

    private RidgeModel load(ModelVersion version) throws Exception {
        return new CheckpointStore(config.modelStoreDir()).read(URI.create(version.getCheckpointUri()), version.getSha256(), RidgeModel.class);
    }

    private double distanceToDirectSolve(RidgeModel model, List<TrainingExample> retained) {
        RidgeModel direct = TestData.directSolve(config, retained, model.classes());
        return RidgeSolver.relativeFrobenius(model.weights(), direct.weights());
    }

    @Test
    void publishesAVersionEveryNExamplesThatEqualsTheDirectSolve() throws Exception {
        List<TrainingExample> data = TestData.examples(1, 0, 120, 10);
        send(data);
        List<ModelVersion> published = readVersions();
        assertEquals(2, published.size(), "one version per 50 examples");
        ModelVersion second = published.get(1);
        assertEquals(2, second.getVersion());
        assertEquals(1L, second.getParentVersion());
        assertEquals(100, second.getLineage().getExamplesRetained());
        assertTrue(distanceToDirectSolve(load(second), data.subList(0, 100)) < 1e-6);

        driver.advanceWallClockTime(Duration.ofMillis(1000));
        ModelVersion idle = readVersions().get(0);
        assertEquals("FLUSH", idle.getTrigger().name());
        assertEquals(120, idle.getLineage().getExamplesRetained());
        assertTrue(distanceToDirectSolve(load(idle), data) < 1e-6);
        assertFalse(idle.getLineage().getInputOffsets().isEmpty(), "lineage names the input offsets learned");
    }

    @Test
    void reDeliveredExamplesAreLearnedOnce() throws Exception {
        List<TrainingExample> data = TestData.examples(2, 0, 30, 5);
        send(data);
        send(data.subList(0, 10));
        driver.advanceWallClockTime(Duration.ofMillis(1000));
        ModelVersion version = readVersions().get(0);
        assertEquals(30, version.getLineage().getExamplesRetained());
        assertTrue(distanceToDirectSolve(load(version), data) < 1e-6);
    }

    @Test
    void subjectErasureYieldsOneReceiptNamingACheckpointWithoutTheSubject() throws Exception {
        List<TrainingExample> data = TestData.examples(3, 0, 80, 8);
        send(data);
        readVersions();
        erasures.pipeInput("subject-3", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("req-1", ErasureScope.SUBJECT, "subject-3", List.of(), null, null)));

        List<ErasureReceipt> got = readReceipts();
        assertEquals(1, got.size());
        ErasureReceipt receipt = got.get(0);
        assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
        assertEquals(10, receipt.getExamplesRemoved());
        assertTrue(receipt.getVerificationResidual() < 1e-8, "normal-equation residual " + receipt.getVerificationResidual());

        List<ModelVersion> published = readVersions();
        ModelVersion erased = published.get(published.size() - 1);
        assertEquals(receipt.getModelVersion(), erased.getVersion());
        assertEquals(List.of("req-1"), erased.getLineage().getErasureRequestIds());
        List<TrainingExample> remaining = data.stream().filter(e -> !e.getSubjectId().equals("subject-3")).toList();
        assertTrue(distanceToDirectSolve(load(erased), remaining) < 1e-6,
                "the receipt's checkpoint equals ridge trained without the subject");

        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(StoreNames.RETAINED_EXAMPLES);
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            int count = 0;
            while (all.hasNext()) {
                KeyValue<String, byte[]> kv = all.next();
                assertFalse(kv.key.startsWith(TestData.ref("subject-3") + "\u0000"), "erased data left in the store: " + kv.key);
                count++;
            }
            assertEquals(70, count);
        }
    }

    @Test
    void anErasureCoversItsSubjectsOlderExamplesEvenWhenTheyArriveLater() throws Exception {
        List<TrainingExample> data = TestData.examples(9, 0, 40, 4);
        send(data);
        java.time.Instant requestedAt = java.time.Instant.now();
        erasures.pipeInput("subject-1", AvroCodec.ERASURE_REQUEST.encode(io.lethe.schemas.ErasureRequest.newBuilder(
                TestData.erasure("late", ErasureScope.SUBJECT, "subject-1", List.of(), null, null))
                .setRequestedAt(requestedAt).build()));
        // Produced before the request (older event time) but arriving after it: covered, never learned.
        List<TrainingExample> straggler = TestData.withEventTime(TestData.examples(9, 41, 1, 4),
                requestedAt.minusMillis(5));
        // New data from the same subject after the request: learned.
        List<TrainingExample> fresh = TestData.withEventTime(TestData.examples(9, 45, 1, 4), requestedAt.plusMillis(5));
        assertEquals("subject-1", straggler.get(0).getSubjectId());
        assertEquals("subject-1", fresh.get(0).getSubjectId());
        send(straggler);
        send(fresh);
        driver.advanceWallClockTime(Duration.ofMillis(1000));
        List<ModelVersion> published = readVersions();
        ModelVersion last = published.get(published.size() - 1);
        List<TrainingExample> expected = new ArrayList<>(data.stream().filter(e -> !e.getSubjectId().equals("subject-1")).toList());
        expected.addAll(fresh);
        assertEquals(expected.size(), last.getLineage().getExamplesRetained());
        assertTrue(distanceToDirectSolve(load(last), expected) < 1e-6);
    }

    @Test
    void everyErasureRequestEndsInExactlyOneReceipt() throws Exception {
        List<TrainingExample> data = TestData.examples(4, 0, 64, 8);
        send(data);
        erasures.pipeInput("subject-1", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("by-examples", ErasureScope.EXAMPLES, "subject-1", List.of("ex-1", "ex-9"), null, null)));
        erasures.pipeInput("class-2", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("by-class", ErasureScope.CLASS, null, List.of(), 2, null)));
        erasures.pipeInput("task-0", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("by-task", ErasureScope.TASK, null, List.of(), null, 0)));
        erasures.pipeInput("nobody", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("nothing", ErasureScope.SUBJECT, "nobody", List.of(), null, null)));
        erasures.pipeInput("x", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("invalid", ErasureScope.SUBJECT, null, List.of(), null, null)));
        erasures.pipeInput("x", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("unknown-scope", ErasureScope.UNKNOWN, null, List.of(), null, null)));

        Map<String, ErasureReceipt> byId = new HashMap<>();
        for (ErasureReceipt r : readReceipts()) {
            assertNull(byId.put(r.getRequestId(), r), "two receipts for " + r.getRequestId());
        }
        assertEquals(6, byId.size());
        assertEquals(2, byId.get("by-examples").getExamplesRemoved());
        assertEquals(16, byId.get("by-class").getExamplesRemoved());
        assertEquals(30, byId.get("by-task").getExamplesRemoved()); // labels 0 and 1: 32, minus ex-1 and ex-9
        assertEquals(ReceiptStatus.NOTHING_TO_ERASE, byId.get("nothing").getStatus());
        assertEquals(ReceiptStatus.REJECTED, byId.get("invalid").getStatus());
        assertEquals(ReceiptStatus.REJECTED, byId.get("unknown-scope").getStatus());

        List<ModelVersion> published = readVersions();
        ModelVersion last = published.get(published.size() - 1);
        List<TrainingExample> remaining = data.stream().filter(e -> e.getLabel() == 3).toList();
        assertEquals(remaining.size(), last.getLineage().getExamplesRetained());
        assertTrue(distanceToDirectSolve(load(last), remaining) < 1e-6);
        assertEquals(last.getVersion(), byId.get("nothing").getModelVersion());
    }

    @Test
    void badInputGoesToTheDeadLetterTopicWithAReasonAndTheStreamKeepsGoing() throws Exception {
        TrainingExample good = TestData.examples(5, 0, 1, 1).get(0);
        examples.pipeInput("s", new byte[] {1, 2, 3, 4});
        TrainingExample wrongDim = TrainingExample.newBuilder(good).setExampleId("w")
                .setFeatures(good.getFeatures().subList(0, 5)).build();
        examples.pipeInput(wrongDim.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(wrongDim));
        List<Float> withNan = new ArrayList<>(good.getFeatures());
        withNan.set(3, Float.NaN);
        TrainingExample nan = TrainingExample.newBuilder(good).setExampleId("n").setFeatures(withNan).build();
        examples.pipeInput(nan.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(nan));
        TrainingExample inf = TrainingExample.newBuilder(good).setExampleId("i")
                .setFeatures(new ArrayList<>(withNan.stream().map(v -> v.isNaN() ? Float.POSITIVE_INFINITY : v).toList())).build();
        examples.pipeInput(inf.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(inf));
        TrainingExample badLabel = TrainingExample.newBuilder(good).setExampleId("l").setLabel(17).build();
        examples.pipeInput(badLabel.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(badLabel));
        examples.pipeInput("s", new byte[70_000]);
        examples.pipeInput("someone-else", AvroCodec.TRAINING_EXAMPLE.encode(
                TrainingExample.newBuilder(good).setExampleId("k").build()));
        erasures.pipeInput("s", new byte[] {(byte) 0xC3, 1, 0, 0});
        erasures.pipeInput("x", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("unknown-scope", ErasureScope.UNKNOWN, null, List.of(), null, null)));
        send(List.of(good));

        List<DeadLetter> letters = new ArrayList<>();
        deadLetters.readValuesToList().forEach(v -> letters.add(AvroCodec.DEAD_LETTER.decode(v)));
        List<String> reasons = letters.stream().map(DeadLetter::getReason).toList();
        assertEquals(9, letters.size(), reasons.toString());
        assertTrue(reasons.get(0).contains("single-object"), reasons.get(0));
        assertTrue(reasons.get(1).contains("wrong input dimension"), reasons.get(1));
        assertTrue(reasons.get(2).contains("non-finite"), reasons.get(2));
        assertTrue(reasons.get(3).contains("non-finite"), reasons.get(3));
        assertTrue(reasons.get(4).contains("unknown label"), reasons.get(4));
        assertTrue(reasons.get(5).contains("oversized"), reasons.get(5));
        assertTrue(reasons.get(6).contains("is not the subject id"), reasons.get(6));
        assertTrue(reasons.get(7).contains("ErasureRequest"), reasons.get(7));
        assertTrue(reasons.get(8).contains("unknown erasure scope"), reasons.get(8));
        assertEquals(LetheTopics.EXAMPLES, letters.get(1).getSourceTopic());
        assertEquals(AvroCodec.TRAINING_EXAMPLE.encode(wrongDim).length, letters.get(1).getPayload().remaining(),
                "the rejected bytes are kept");

        driver.advanceWallClockTime(Duration.ofMillis(1000));
        List<ModelVersion> published = readVersions();
        assertEquals(1, published.size());
        assertEquals(1, published.get(0).getLineage().getExamplesRetained(), "the valid example after them was learned");
    }

    @Test
    void continualEvaluationReportsTheLiveModelsAccuracyOnEachTasksSet() throws Exception {
        driver.close();
        config = TestData.config(dir, "lethe.eval.every.examples", "40", "lethe.state.dir", dir.resolve("eval").toString());
        Properties props = TestData.driverProperties(dir.resolve("streams-eval"), "topology-eval-test");
        driver = new TopologyTestDriver(LetheTopology.build(config), props);
        examples = driver.createInputTopic(LetheTopics.EXAMPLES, new StringSerializer(), new ByteArraySerializer());
        TestInputTopic<String, byte[]> evalInput = driver.createInputTopic(LetheTopics.EVAL_EXAMPLES, new StringSerializer(),
                new ByteArraySerializer());
        TestOutputTopic<String, byte[]> evaluations = driver.createOutputTopic(LetheTopics.EVALUATIONS,
                new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(LetheTopics.DEAD_LETTERS, new StringDeserializer(), new ByteArrayDeserializer());
        List<TrainingExample> held = TestData.examples(99, 1000, 60, 5);
        for (TrainingExample e : held) {
            evalInput.pipeInput("task-" + e.getTask(), AvroCodec.TRAINING_EXAMPLE.encode(e));
        }
        evalInput.pipeInput("bad", new byte[] {1, 2, 3});
        List<TrainingExample> data = TestData.examples(5, 0, 80, 8);
        send(data);
        List<io.lethe.schemas.EvaluationReport> reports = new ArrayList<>();
        evaluations.readValuesToList().forEach(v -> reports.add(AvroCodec.EVALUATION_REPORT.decode(v)));
        assertEquals(2, reports.size(), "one evaluation every 40 learned examples");
        for (int r = 0; r < 2; r++) {
            io.lethe.schemas.EvaluationReport report = reports.get(r);
            // The step is what the evaluated model has learned: up to a batch (8) short of the 40 * (r + 1)
            // examples received, since evaluation does not force a partial batch in.
            int step = (int) report.getStep();
            assertTrue(step <= 40 * (r + 1) && step > 40 * (r + 1) - 8, "step " + step);
            RidgeModel direct = TestData.directSolve(config, data.subList(0, step), new int[] {0, 1, 2, 3});
            assertEquals(2, report.getTaskAccuracies().size());
            for (io.lethe.schemas.TaskAccuracy task : report.getTaskAccuracies()) {
                List<TrainingExample> set = held.stream().filter(e -> e.getTask() == task.getTask()).toList();
                int[] predicted = direct.predictor().predict(io.lethe.streams.topology.ExampleBatches.of(set, TestData.DIM).inputs());
                long correct = java.util.stream.IntStream.range(0, set.size())
                        .filter(i -> predicted[i] == set.get(i).getLabel()).count();
                assertEquals(100.0 * correct / set.size(), task.getAccuracy(), 1e-9,
                        "task " + task.getTask() + ": the live model's accuracy equals the direct solve's");
                assertEquals(set.size(), task.getCount());
            }
        }
        assertTrue(reports.get(1).getMetrics().containsKey("wc_acc"));
        assertTrue(deadLetters.readValuesToList().size() >= 1, "a malformed evaluation example is dead-lettered");

        // An erasure that changes the model is followed by an evaluation of the model without the erased data,
        // marked as such (the dashboard draws it; the continual metrics leave it out).
        TestInputTopic<String, byte[]> erasureInput = driver.createInputTopic(LetheTopics.ERASURES, new StringSerializer(),
                new ByteArraySerializer());
        erasureInput.pipeInput("subject-2", AvroCodec.ERASURE_REQUEST.encode(
                TestData.erasure("erase-2", io.lethe.schemas.ErasureScope.SUBJECT, "subject-2", List.of(), null, null)));
        List<io.lethe.schemas.EvaluationReport> after = new ArrayList<>();
        evaluations.readValuesToList().forEach(v -> after.add(AvroCodec.EVALUATION_REPORT.decode(v)));
        assertEquals(1, after.size());
        assertEquals(1.0, after.get(0).getMetrics().get("after_erasure"));
        assertEquals(80L, after.get(0).getStep(), "the erasure first learns what was pending: all 80");
        List<TrainingExample> retainedData = data.stream().filter(e -> !e.getSubjectId().equals("subject-2")).toList();
        RidgeModel retrained = TestData.directSolve(config, retainedData, new int[] {0, 1, 2, 3});
        for (io.lethe.schemas.TaskAccuracy task : after.get(0).getTaskAccuracies()) {
            List<TrainingExample> set = held.stream().filter(e -> e.getTask() == task.getTask()).toList();
            int[] predicted = retrained.predictor().predict(io.lethe.streams.topology.ExampleBatches.of(set, TestData.DIM).inputs());
            long correct = java.util.stream.IntStream.range(0, set.size())
                    .filter(i -> predicted[i] == set.get(i).getLabel()).count();
            assertEquals(100.0 * correct / set.size(), task.getAccuracy(), 1e-9,
                    "after the erasure: the accuracy of a direct solve on the retained data");
        }
    }
}
