package io.lethe.tools.demo;

import io.lethe.learning.Predictor;
import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.metrics.Evaluation;
import io.lethe.learning.metrics.MinAccuracy;
import io.lethe.learning.metrics.StabilityGap;
import io.lethe.learning.metrics.WindowedForgetting;
import io.lethe.learning.metrics.WorstCaseAccuracy;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.VersionTrigger;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * The demo's model as a downstream subscriber sees it: every version it receives is evaluated on all
 * 10,000 test images (per task), feeding the continual metrics; versions published by erasures are
 * only recorded, so that no evaluation shares the cores while erasure latency is measured.
 */
final class SubscriberView implements BiConsumer<ModelVersion, Predictor> {

    /** One model version's evaluation. */
    record VersionEval(long version, long examplesLearned, long createdAt, Map<String, Double> perTask, double average,
                       ModelVersion event) {
        String describe() {
            StringBuilder b = new StringBuilder();
            perTask.forEach((task, acc) -> b.append(String.format("T%s %5.1f  ", task.substring(4), acc)));
            return b.toString().trim();
        }
    }

    private final TestSetEvaluator evaluator;
    private final long[] taskEnds;
    private final PrintStream out;
    private final Map<Long, VersionEval> evaluations = new ConcurrentHashMap<>();
    private final AtomicReference<VersionEval> latest = new AtomicReference<>();
    private final MinAccuracy minAcc = new MinAccuracy();
    private final WorstCaseAccuracy wcAcc = new WorstCaseAccuracy();
    private final WindowedForgetting forgetting = new WindowedForgetting(10);
    private final StabilityGap gaps = new StabilityGap(1.0);
    private volatile long firstSend;

    /** {@code taskEnds[t]}: examples in the stream up to the end of task t. */
    SubscriberView(TestSetEvaluator evaluator, long[] taskEnds, PrintStream out) {
        this.evaluator = evaluator;
        this.taskEnds = taskEnds.clone();
        this.out = out;
    }

    /** When the first example was sent: versions report their time since. */
    void streamStarted(long millis) {
        if (firstSend == 0) {
            firstSend = millis;
        }
    }

    long firstSend() {
        return firstSend;
    }

    @Override
    public void accept(ModelVersion version, Predictor model) {
        if (version.getTrigger() == VersionTrigger.ERASURE) {
            latest.set(new VersionEval(version.getVersion(), version.getLineage().getExamplesLearned(),
                    version.getCreatedAt().toEpochMilli(), Map.of(), Double.NaN, version));
            return;
        }
        // The demo's model is the analytic learner: its evaluator reuses the frozen test features.
        VersionEval eval = evaluate(version, (RidgeModel) model);
        long learnedSoFar = version.getLineage().getExamplesLearned();
        int currentTask = 0;
        while (currentTask < taskEnds.length - 1 && learnedSoFar > taskEnds[currentTask]) {
            currentTask++;
        }
        Map<Integer, Double> byTask = new TreeMap<>();
        eval.perTask().forEach((name, accuracy) -> byTask.put(Integer.parseInt(name.substring(4)), accuracy));
        Evaluation e = new Evaluation(learnedSoFar, currentTask, byTask);
        synchronized (gaps) {
            minAcc.update(e);
            wcAcc.update(e);
            forgetting.update(e);
            gaps.update(e);
        }
        evaluations.put(version.getVersion(), eval);
        latest.set(eval);
        double seconds = firstSend == 0 ? 0 : (version.getCreatedAt().toEpochMilli() - firstSend) / 1000.0;
        out.printf("  v%-3d %-17s learned %,7d  retained %,7d  %6.1f s  accuracy per task: %s%n",
                version.getVersion(), version.getTrigger(), version.getLineage().getExamplesLearned(),
                version.getLineage().getExamplesRetained(), seconds, eval.describe());
    }

    private VersionEval evaluate(ModelVersion version, RidgeModel model) {
        int[] predicted = evaluator.predict(model);
        Set<Integer> seen = new HashSet<>();
        int[] classes = model.classes();
        boolean[] active = model.active();
        for (int c = 0; c < classes.length; c++) {
            if (active[c]) {
                seen.add(classes[c]);
            }
        }
        Map<String, Double> perTask = new LinkedHashMap<>();
        for (int task = 0; task < taskEnds.length; task++) {
            int[] taskClasses = IntStream.of(2 * task, 2 * task + 1).filter(seen::contains).toArray();
            if (taskClasses.length > 0) {
                perTask.put("task" + task, evaluator.accuracy(predicted, taskClasses));
            }
        }
        int[] all = seen.stream().mapToInt(Integer::intValue).toArray();
        double average = all.length == 0 ? Double.NaN : evaluator.accuracy(predicted, all);
        return new VersionEval(version.getVersion(), version.getLineage().getExamplesLearned(),
                version.getCreatedAt().toEpochMilli(), perTask, average, version);
    }

    VersionEval latest() {
        return latest.get();
    }

    /** Waits until the newest version received satisfies {@code done}. */
    VersionEval await(Predicate<VersionEval> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            VersionEval v = latest.get();
            if (v != null && done.test(v)) {
                return v;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the expected model version did not arrive within " + timeout);
    }

    /**
     * Steady-state learning rate: between consecutive EXAMPLES_LEARNED versions inside a task (no task
     * boundary waits, no start-up), from the versions' own creation times.
     */
    double steadyExamplesPerSecond() {
        List<VersionEval> byVersion = new ArrayList<>(evaluations.values());
        byVersion.sort(Comparator.comparingLong(VersionEval::version));
        double examples = 0;
        double millis = 0;
        for (int i = 1; i < byVersion.size(); i++) {
            VersionEval a = byVersion.get(i - 1);
            VersionEval b = byVersion.get(i);
            if (a.event().getTrigger() == VersionTrigger.EXAMPLES_LEARNED
                    && b.event().getTrigger() == VersionTrigger.EXAMPLES_LEARNED) {
                examples += b.examplesLearned() - a.examplesLearned();
                millis += b.createdAt() - a.createdAt();
            }
        }
        return millis == 0 ? Double.NaN : examples / (millis / 1000.0);
    }

    /** The continual metrics over every evaluated version, for the summary. */
    Map<String, Object> continualMetrics() {
        Map<String, Object> continual = new LinkedHashMap<>();
        synchronized (gaps) {
            continual.put("min_acc", minAcc.result());
            continual.put("wc_acc", wcAcc.result());
            continual.put("wf10", forgetting.result().forgetting());
            continual.put("wp10", forgetting.result().plasticity());
            continual.put("stability_gaps", io.lethe.tools.experiment.GapRows.of(gaps.result()));
        }
        return continual;
    }
}
