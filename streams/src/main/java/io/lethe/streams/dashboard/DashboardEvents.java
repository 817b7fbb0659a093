package io.lethe.streams.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lethe.learning.metrics.Evaluation;
import io.lethe.learning.metrics.StabilityGap;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.EvaluationReport;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TaskAccuracy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns records of the evaluation, receipt and model-version topics into the dashboard's JSON events,
 * and keeps what the events need from each other: the examples learned at each model version (so an
 * erasure marker sits at the step its version was published) and, per model, the stability gap of
 * every task transition, computed by {@link StabilityGap} from the learner's continual evaluations.
 * Not thread-safe: one feed thread calls it.
 */
public final class DashboardEvents {

    /** Points within this many accuracy points of the pre-transition value count as recovered. */
    public static final double RECOVERY_TOLERANCE_POINTS = 1.0;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Map<Long, Long>> stepOfVersion = new HashMap<>();
    private final Map<String, Long> latestStep = new HashMap<>();
    private final Map<String, StabilityGap> gaps = new TreeMap<>();

    /** One event to send: its SSE event name and JSON data. */
    public record Event(String type, String json) {
    }

    /**
     * The networks retraining in this process now (empty: none), as one {@code retraining} event: the
     * page shows a banner while receipts and new versions of those models wait for it.
     */
    public static Event retraining(java.util.Collection<io.lethe.streams.metrics.RetrainingProgress.Progress> running,
                                   long nowMs) {
        ArrayNode models = JSON.createArrayNode();
        running.stream().sorted(java.util.Comparator.comparing(io.lethe.streams.metrics.RetrainingProgress.Progress::model))
                .forEach(p -> models.addObject().put("model", p.model()).put("done", p.done()).put("total", p.total())
                        .put("percent", Math.round(p.percent() * 10) / 10.0).put("seconds", (nowMs - p.startedAtMs()) / 1000.0)
                        .put("reason", p.reason()));
        ObjectNode event = JSON.createObjectNode();
        event.set("models", models);
        return new Event("retraining", event.toString());
    }

    /**
     * The events a record gives (none for a topic the dashboard does not show or a report without
     * per-task accuracies, such as an unlearning measurement). A record that does not decode is
     * reported as an {@code error} event rather than stopping the feed.
     */
    public List<Event> accept(String topic, byte[] value) {
        if (value == null) {
            return List.of(); // a revoked version's entry, removed from lethe.model-versions
        }
        try {
            return switch (topic) {
                case LetheTopics.EVALUATIONS -> evaluation(AvroCodec.EVALUATION_REPORT.decode(value));
                case LetheTopics.ERASURE_RECEIPTS -> List.of(receipt(AvroCodec.ERASURE_RECEIPT.decode(value)));
                case LetheTopics.MODEL_VERSIONS -> List.of(version(AvroCodec.MODEL_VERSION.decode(value)));
                default -> List.of();
            };
        } catch (RuntimeException e) {
            ObjectNode error = JSON.createObjectNode().put("topic", topic).put("message", String.valueOf(e.getMessage()));
            return List.of(new Event("feed-error", error.toString()));
        }
    }

    /** The stability gaps of a model's transitions so far (empty for an unknown model). */
    public List<StabilityGap.Gap> gaps(String model) {
        return Optional.ofNullable(gaps.get(model)).map(StabilityGap::result).orElse(List.of());
    }

    private List<Event> evaluation(EvaluationReport report) {
        if (report.getTaskAccuracies().isEmpty()) {
            return List.of();
        }
        String model = report.getModelName();
        advance(model, report.getStep());
        Map<String, Double> metrics = report.getMetrics();
        boolean afterErasure = metrics.getOrDefault("after_erasure", 0.0) > 0;
        int currentTask = (int) Math.round(metrics.getOrDefault("current_task", -1.0));
        ObjectNode event = JSON.createObjectNode()
                .put("model", model)
                .put("version", report.getModelVersion())
                .put("step", report.getStep())
                .put("time", report.getEvaluatedAt().toEpochMilli())
                .put("currentTask", currentTask)
                .put("afterErasure", afterErasure);
        putNumber(event, "average", report.getAverageAccuracy());
        ObjectNode tasks = event.putObject("tasks");
        Map<Integer, Double> byTask = new TreeMap<>();
        for (TaskAccuracy accuracy : report.getTaskAccuracies()) {
            tasks.put(Integer.toString(accuracy.getTask()), accuracy.getAccuracy());
            byTask.put(accuracy.getTask(), accuracy.getAccuracy());
        }
        ObjectNode metricNode = event.putObject("metrics");
        metrics.forEach((name, v) -> putNumber(metricNode, name, v));
        List<Event> out = new ArrayList<>(2);
        out.add(new Event("evaluation", event.toString()));
        StabilityGap gap = gaps.computeIfAbsent(model, m -> new StabilityGap(RECOVERY_TOLERANCE_POINTS));
        if (!afterErasure && currentTask >= 0) {
            // Evaluations after an erasure show a deliberate change, not forgetting: kept out, as in the learner.
            gap.update(new Evaluation(report.getStep(), currentTask, byTask));
            out.add(new Event("gaps", gapsEvent(model, gap.result()).toString()));
        }
        return out;
    }

    private static ObjectNode gapsEvent(String model, List<StabilityGap.Gap> all) {
        ObjectNode event = JSON.createObjectNode().put("model", model)
                .put("tolerance", RECOVERY_TOLERANCE_POINTS);
        ArrayNode transitions = event.putArray("transitions");
        StabilityGap.deepestPerTransition(all).values().forEach(g -> transitions.addObject()
                .put("newTask", g.newTask())
                .put("oldTask", g.oldTask())
                .put("step", g.transitionStep())
                .put("before", g.before())
                .put("minimum", g.minimum())
                .put("depth", g.depth())
                .put("recovery", g.recoverySteps()));
        return event;
    }

    private Event receipt(ErasureReceipt receipt) {
        String model = receipt.getModelName();
        Long version = receipt.getModelVersion();
        Long step = version == null ? null : stepOfVersion.getOrDefault(model, Map.of()).get(version);
        if (step == null) {
            step = latestStep.get(model); // the version record may follow its receipt: the newest step is as good
        }
        ObjectNode event = JSON.createObjectNode()
                .put("model", model)
                .put("requestId", receipt.getRequestId())
                .put("status", receipt.getStatus().name())
                .put("examplesRemoved", receipt.getExamplesRemoved())
                .put("latencyMs", receipt.getLatencyMs())
                .put("completedAt", receipt.getCompletedAt().toEpochMilli())
                .put("method", receipt.getVerificationMethod())
                .put("message", receipt.getMessage());
        if (version != null) {
            event.put("version", version);
        }
        if (step != null) {
            event.put("step", step);
        }
        if (receipt.getVerificationResidual() != null) {
            putNumber(event, "residual", receipt.getVerificationResidual());
        }
        ObjectNode metrics = event.putObject("metrics");
        receipt.getMetrics().forEach((name, v) -> putNumber(metrics, name, v));
        return new Event("receipt", event.toString());
    }

    private Event version(ModelVersion version) {
        String model = version.getModelName();
        long learned = version.getLineage().getExamplesLearned();
        stepOfVersion.computeIfAbsent(model, m -> new HashMap<>()).put(version.getVersion(), learned);
        advance(model, learned);
        ObjectNode event = JSON.createObjectNode()
                .put("model", model)
                .put("version", version.getVersion())
                .put("trigger", version.getTrigger().name())
                .put("examplesLearned", learned)
                .put("examplesRetained", version.getLineage().getExamplesRetained())
                .put("erasures", version.getLineage().getErasureRequestIds().size())
                .put("sizeBytes", version.getSizeBytes())
                .put("createdAt", version.getCreatedAt().toEpochMilli())
                .put("sha256", version.getSha256());
        return new Event("version", event.toString());
    }

    private void advance(String model, long step) {
        latestStep.merge(model, step, Math::max);
    }

    /** JSON has no NaN or infinity: those are left out ("not measured"). */
    private static void putNumber(ObjectNode node, String name, Double value) {
        if (value != null && Double.isFinite(value)) {
            node.put(name, value);
        }
    }
}
