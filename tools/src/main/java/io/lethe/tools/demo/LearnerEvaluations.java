package io.lethe.tools.demo;

import io.lethe.learning.metrics.StabilityGap;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.EvaluationReport;
import io.lethe.schemas.LetheTopics;
import io.lethe.streams.app.LetheClients;
import io.lethe.streams.dashboard.DashboardEvents;
import io.lethe.tools.experiment.GapRows;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The learners' own continual evaluations, read back from {@code lethe.evaluations} and put through
 * the dashboard's {@link DashboardEvents}, so the printed stability-gap table is the one the page
 * shows: per model and transition, the earlier task that dropped deepest, its depth and recovery.
 */
final class LearnerEvaluations {

    private LearnerEvaluations() {
    }

    /** Reads every committed evaluation report until the topic has been quiet for a moment. */
    static Map<String, Object> readAndPrint(String bootstrap, PrintStream out) {
        DashboardEvents events = new DashboardEvents();
        Map<String, EvaluationReport> last = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        LetheClients.readUntilQuiet(bootstrap, "lethe-demo-evaluations-", LetheTopics.EVALUATIONS, 1500, record -> {
            EvaluationReport report = AvroCodec.EVALUATION_REPORT.decode(record.value());
            events.accept(LetheTopics.EVALUATIONS, record.value());
            if (report.getMetrics().containsKey("current_task") && !report.getMetrics().containsKey("after_erasure")) {
                last.put(report.getModelName(), report);
                counts.merge(report.getModelName(), 1, Integer::sum);
            }
        });
        Map<String, Object> byModel = new LinkedHashMap<>();
        if (last.isEmpty()) {
            out.println("no continual evaluations from the learners (lethe.eval.every.examples = 0?)");
            return byModel;
        }
        out.println("continual evaluation by the learners themselves (200 test images per task, lethe.eval-examples):");
        for (Map.Entry<String, EvaluationReport> entry : last.entrySet()) {
            EvaluationReport report = entry.getValue();
            Map<String, Double> metrics = report.getMetrics();
            out.printf(Locale.ROOT, "  %-14s %3d evaluations; after %,d examples: %s; min-ACC %.2f, WC-ACC %.2f;"
                            + " at the last task end ACC %.2f, BWT %.2f%n",
                    entry.getKey(), counts.get(entry.getKey()), report.getStep(),
                    report.getTaskAccuracies().stream().map(t -> String.format(Locale.ROOT, "T%d %.1f", t.getTask(),
                            t.getAccuracy())).toList(), metrics.getOrDefault("min_acc", Double.NaN),
                    metrics.getOrDefault("wc_acc", Double.NaN), metrics.getOrDefault("acc_task_end", Double.NaN),
                    metrics.getOrDefault("bwt_task_end", Double.NaN));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("evaluations", counts.get(entry.getKey()));
            summary.put("last_step", report.getStep());
            Map<String, Double> lastAccuracy = new TreeMap<>();
            report.getTaskAccuracies().forEach(t -> lastAccuracy.put("task" + t.getTask(), t.getAccuracy()));
            summary.put("last_task_accuracy", lastAccuracy);
            summary.put("min_acc", finite(metrics.get("min_acc")));
            summary.put("wc_acc", finite(metrics.get("wc_acc")));
            summary.put("wf10", finite(metrics.get("wf10")));
            summary.put("acc_task_end", finite(metrics.get("acc_task_end")));
            summary.put("bwt_task_end", finite(metrics.get("bwt_task_end")));
            summary.put("stability_gaps", GapRows.of(events.gaps(entry.getKey())));
            byModel.put(entry.getKey(), summary);
        }
        out.printf(Locale.ROOT, "stability gap per transition (the earlier task that dropped deepest; depth in points;"
                + " recovery: examples until back within %.0f point, -1: not within the task):%n",
                DashboardEvents.RECOVERY_TOLERANCE_POINTS);
        out.printf(Locale.ROOT, "  %-14s %-12s %-10s %9s %9s %9s %10s%n", "model", "task starts", "old task", "before %",
                "min %", "depth", "recovery");
        for (String model : last.keySet()) {
            StabilityGap.deepestPerTransition(events.gaps(model)).forEach((task, g) -> out.printf(Locale.ROOT,
                    "  %-14s %-12s %-10s %9.2f %9.2f %9.2f %10d%n", model, task + " @ " + g.transitionStep(),
                    "task " + g.oldTask(), g.before(), g.minimum(), g.depth(), g.recoverySteps()));
        }
        return byModel;
    }

    private static Double finite(Double x) {
        return x == null || !Double.isFinite(x) ? null : x;
    }
}
