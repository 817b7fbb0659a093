package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.learning.metrics.StabilityGap;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.EvaluationReport;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.Lineage;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.TaskAccuracy;
import io.lethe.schemas.VersionTrigger;
import io.lethe.streams.dashboard.DashboardEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The dashboard's events from topic records, and the stability gaps it derives, against hand-computed values. */
class DashboardEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void evaluationsBecomePointsAndTheGapPerTransitionMatchesTheHandComputedOne() throws Exception {
        DashboardEvents events = new DashboardEvents();
        // Task 0 learned to 95; task 1 starts at step 300: task 0 dips to 80 at 300, 90 at 400, back to 94.5 at 500
        // (within 1 point of 95: recovered 200 examples after the transition). Depth 95 - 80 = 15.
        events.accept(LetheTopics.EVALUATIONS, report("m", 100, 0, false, 90.0, 0.0));
        events.accept(LetheTopics.EVALUATIONS, report("m", 200, 0, false, 95.0, 0.0));
        List<DashboardEvents.Event> out = events.accept(LetheTopics.EVALUATIONS, report("m", 300, 1, false, 80.0, 60.0));
        events.accept(LetheTopics.EVALUATIONS, report("m", 400, 1, false, 90.0, 85.0));
        // An erasure's evaluation (task 0 to 10) is not a stability gap: it must not deepen the figure.
        events.accept(LetheTopics.EVALUATIONS, report("m", 400, 1, true, 10.0, 85.0));
        List<DashboardEvents.Event> last = events.accept(LetheTopics.EVALUATIONS, report("m", 500, 1, false, 94.5, 90.0));

        assertEquals(List.of("evaluation", "gaps"), out.stream().map(DashboardEvents.Event::type).toList());
        JsonNode point = JSON.readTree(out.get(0).json());
        assertEquals(300, point.get("step").asLong());
        assertEquals(1, point.get("currentTask").asInt());
        assertEquals(80.0, point.get("tasks").get("0").asDouble());
        assertEquals(60.0, point.get("tasks").get("1").asDouble());
        assertFalse(point.get("afterErasure").asBoolean());

        List<StabilityGap.Gap> gaps = events.gaps("m");
        assertEquals(1, gaps.size());
        StabilityGap.Gap gap = gaps.get(0);
        assertEquals(300, gap.transitionStep());
        assertEquals(0, gap.oldTask());
        assertEquals(95.0, gap.before());
        assertEquals(80.0, gap.minimum());
        assertEquals(15.0, gap.depth(), 1e-12);
        assertEquals(200, gap.recoverySteps());
        JsonNode row = JSON.readTree(last.get(1).json()).get("transitions").get(0);
        assertEquals(1, row.get("newTask").asInt());
        assertEquals(15.0, row.get("depth").asDouble(), 1e-12);
        assertEquals(200, row.get("recovery").asLong());
    }

    @Test
    void aReceiptIsMarkedAtTheStepOfTheVersionItNamesAndNaNIsLeftOut() throws Exception {
        DashboardEvents events = new DashboardEvents();
        events.accept(LetheTopics.MODEL_VERSIONS, version("m", 3, 1200));
        events.accept(LetheTopics.MODEL_VERSIONS, version("m", 4, 1500));
        JsonNode receipt = JSON.readTree(events.accept(LetheTopics.ERASURE_RECEIPTS, receipt("m", 3L, Double.NaN))
                .get(0).json());
        assertEquals(1200, receipt.get("step").asLong(), "at the version the erasure took effect in");
        assertFalse(receipt.has("residual"), "NaN is 'not measured', not a JSON number");
        // A receipt whose version has not been seen yet sits at the newest step known for the model.
        JsonNode early = JSON.readTree(events.accept(LetheTopics.ERASURE_RECEIPTS, receipt("m", 9L, 1e-12)).get(0).json());
        assertEquals(1500, early.get("step").asLong());
        assertEquals(1e-12, early.get("residual").asDouble());
    }

    @Test
    void aRetrainingInProgressIsOneEventWithItsShareDoneAndAnEmptyOneClearsIt() throws Exception {
        io.lethe.streams.metrics.RetrainingProgress.update("net", 1500, 6000, 10_000, "exact-retrain");
        try {
            DashboardEvents.Event event = DashboardEvents.retraining(
                    io.lethe.streams.metrics.RetrainingProgress.running().values(), 22_500);
            assertEquals("retraining", event.type());
            JsonNode model = new ObjectMapper().readTree(event.json()).get("models").get(0);
            assertEquals("net", model.get("model").asText());
            assertEquals(25.0, model.get("percent").asDouble(), 1e-9);
            assertEquals(12.5, model.get("seconds").asDouble(), 1e-9);
            assertEquals("exact-retrain", model.get("reason").asText());
        } finally {
            io.lethe.streams.metrics.RetrainingProgress.finished("net");
        }
        assertFalse(io.lethe.streams.metrics.RetrainingProgress.running().containsKey("net"));
        assertEquals(0, new ObjectMapper().readTree(DashboardEvents.retraining(List.of(), 0).json()).get("models").size());
    }

    @Test
    void recordsThatDoNotDecodeAreReportedAndReportsWithoutTasksAreSkipped() {
        DashboardEvents events = new DashboardEvents();
        List<DashboardEvents.Event> bad = events.accept(LetheTopics.EVALUATIONS, new byte[] {1, 2, 3});
        assertEquals("feed-error", bad.get(0).type());
        EvaluationReport unlearning = EvaluationReport.newBuilder(reportRecord("m", 10, 0, false, 50.0, 50.0))
                .setTaskAccuracies(List.of()).build();
        assertTrue(events.accept(LetheTopics.EVALUATIONS, AvroCodec.EVALUATION_REPORT.encode(unlearning)).isEmpty());
        assertTrue(events.accept(LetheTopics.EXAMPLES, new byte[0]).isEmpty(), "topics the page does not show");
    }

    private static byte[] report(String model, long step, int currentTask, boolean afterErasure, double... accuracy) {
        return AvroCodec.EVALUATION_REPORT.encode(reportRecord(model, step, currentTask, afterErasure, accuracy));
    }

    private static EvaluationReport reportRecord(String model, long step, int currentTask, boolean afterErasure,
                                                 double... accuracy) {
        List<TaskAccuracy> tasks = new ArrayList<>();
        for (int t = 0; t < accuracy.length; t++) {
            tasks.add(new TaskAccuracy(t, accuracy[t], 100));
        }
        Map<String, Double> metrics = new TreeMap<>(Map.of("current_task", (double) currentTask));
        if (afterErasure) {
            metrics.put("after_erasure", 1.0);
        }
        return EvaluationReport.newBuilder().setModelName(model).setModelVersion(1).setStep(step)
                .setEvaluatedAt(Instant.ofEpochMilli(step)).setTaskAccuracies(tasks).setAverageAccuracy(0)
                .setMetrics(metrics).build();
    }

    private static byte[] version(String model, long version, long learned) {
        Lineage lineage = Lineage.newBuilder().setInputOffsets(List.of()).setErasureRequestIds(List.of())
                .setExamplesLearned(learned).setExamplesRetained(learned).setLearnerConfig(Map.of()).setSeed(1).build();
        return AvroCodec.MODEL_VERSION.encode(ModelVersion.newBuilder().setModelName(model).setVersion(version)
                .setParentVersion(null).setCheckpointUri("file:/x").setSha256("00").setSizeBytes(1)
                .setTrigger(VersionTrigger.EXAMPLES_LEARNED).setCreatedAt(Instant.ofEpochMilli(1)).setLineage(lineage)
                .build());
    }

    private static byte[] receipt(String model, Long version, double residual) {
        return AvroCodec.ERASURE_RECEIPT.encode(ErasureReceipt.newBuilder().setRequestId("r").setStatus(ReceiptStatus.COMPLETED)
                .setModelName(model).setModelVersion(version).setExamplesRemoved(3).setRequestedAt(Instant.ofEpochMilli(1))
                .setCompletedAt(Instant.ofEpochMilli(2)).setLatencyMs(1).setVerificationMethod("cholesky-resolve")
                .setVerificationResidual(residual).setMessage("").setMetrics(Map.of()).build());
    }
}
