package io.lethe.tools.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.modelstore.CheckpointStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo's closing table on the console and its summary file (var/demo-summary.json). */
final class DemoReport {

    private final PrintStream out;
    private final Path summaryFile;
    private final int tasks;

    DemoReport(PrintStream out, Path summaryFile, int tasks) {
        this.out = out;
        this.summaryFile = summaryFile;
        this.tasks = tasks;
    }

    void print(DemoSummary s) {
        out.println();
        out.println("Accuracy (%) on each task's test images after learning each task (class-incremental, 10-way):");
        out.printf("  %-12s", "after task");
        for (int task = 0; task < tasks; task++) {
            out.printf("  T%d {%d,%d}", task, 2 * task, 2 * task + 1);
        }
        out.println();
        for (int row = 0; row < s.accuracyAfterTask().size(); row++) {
            out.printf("  %-12s", "task " + row);
            for (int task = 0; task < tasks; task++) {
                Double a = s.accuracyAfterTask().get(row).get("task" + task);
                out.printf("  %8s", a == null ? "-" : String.format("%.2f", a));
            }
            out.println();
        }
        out.println();
        out.println("+--------------------------------------------------------+----------------+");
        row("final accuracy, test images of retained classes (%)", String.format("%.2f", s.finalAccuracy()));
        row("joint ridge on the retained data, same features (%)", String.format("%.2f", s.jointRidgeAccuracy()));
        row("difference (points)", String.format("%+.3f", s.accuracyGapPoints()));
        row("exactness residual ||W - W_joint||_F / ||W_joint||_F", String.format("%.2e", s.exactnessResidual()));
        row("examples learned through Kafka", String.format("%,d", s.examplesLearned()));
        row("examples retained after erasure", String.format("%,d", s.examplesRetained()));
        row("learn throughput (examples/s, produce to version)", String.format("%,.0f", s.learnExamplesPerSecond()));
        row("learn throughput within tasks (examples/s)", String.format("%,.0f", s.learnSteadyExamplesPerSecond()));
        row("erasures requested / receipts", s.erasuresRequested() + " / " + s.receipts());
        row("single-subject erasure latency p50 (ms)", String.format("%.0f", s.erasureP50Ms()));
        row("single-subject erasure latency p99 (ms)", String.format("%.0f", s.erasureP99Ms()));
        row("class erasure latency (ms)", String.format("%.0f", s.classErasureMs()));
        if (s.replayUnlearningPath() != null) {
            row("replay model after erasures: path", s.replayUnlearningPath());
            row("replay model: test accuracy, retained classes (%)", String.format("%.2f", s.replayHeldoutAccuracyAfterErasure()));
            row("replay model: test accuracy, erased class (%)", String.format("%.2f", s.replayErasedClassAccuracyAfterErasure()));
        }
        row("wall time (s)", String.format("%.1f", s.wallSeconds()));
        out.println("+--------------------------------------------------------+----------------+");
        out.println("summary written to " + summaryFile);
    }

    private void row(String name, String value) {
        out.printf("| %-54s | %14s |%n", name, value);
    }

    void write(DemoSummary summary) throws IOException {
        Files.createDirectories(summaryFile.toAbsolutePath().getParent());
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(summary);
        CheckpointStore.writeAtomically(summaryFile.toAbsolutePath(), json);
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}
