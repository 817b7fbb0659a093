package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.metrics.Evaluation;
import io.lethe.learning.metrics.MinAccuracy;
import io.lethe.learning.metrics.StabilityGap;
import io.lethe.learning.metrics.WindowedForgetting;
import io.lethe.learning.metrics.WorstCaseAccuracy;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.EvaluationReport;
import io.lethe.schemas.TaskAccuracy;
import io.lethe.schemas.TrainingExample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Continual evaluation inside the learner: per-task evaluation sets (from {@code lethe.eval-examples},
 * kept in a changelogged store, at most {@code perTask} per task), evaluated on the live model every
 * few learned examples, feeding the continual metrics (min-ACC, WC-ACC, WF^10/WP^10, stability gap).
 * The metric objects' history lives in memory: after a restart they start again.
 */
final class ContinualEvaluator {

    private final KeyValueStore<String, byte[]> store;
    private final int perTask;
    private final int inputDim;
    private final Map<Integer, List<TrainingExample>> sets = new TreeMap<>();
    private final Map<Integer, LabeledBatch> batches = new TreeMap<>();
    private final MinAccuracy minAccuracy = new MinAccuracy();
    private final WorstCaseAccuracy worstCase = new WorstCaseAccuracy();
    private final WindowedForgetting forgetting = new WindowedForgetting(10);
    private final StabilityGap gap = new StabilityGap(1.0);
    private final io.lethe.learning.metrics.TaskEndAccuracy taskEnds = new io.lethe.learning.metrics.TaskEndAccuracy();

    ContinualEvaluator(KeyValueStore<String, byte[]> store, int perTask, int inputDim) {
        this.store = store;
        this.perTask = perTask;
        this.inputDim = inputDim;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            all.forEachRemaining(kv -> add(AvroCodec.TRAINING_EXAMPLE.decode(kv.value)));
        }
    }

    /** Stores an evaluation example; returns false when its task's set is full. */
    boolean offer(TrainingExample example) {
        List<TrainingExample> set = sets.getOrDefault(example.getTask(), List.of());
        if (set.size() >= perTask) {
            return false;
        }
        store.put(example.getTask() + "\u0000" + example.getExampleId(), AvroCodec.TRAINING_EXAMPLE.encode(example));
        add(example);
        return true;
    }

    private void add(TrainingExample example) {
        sets.computeIfAbsent(example.getTask(), t -> new ArrayList<>()).add(example);
        batches.remove(example.getTask());
    }

    boolean hasSets() {
        return !sets.isEmpty();
    }

    /**
     * Evaluates every task with a set; the report carries per-task accuracy and the continual metrics.
     * An evaluation right after an erasure ({@code afterErasure}) shows what the erasure did; it is
     * reported (metric {@code after_erasure} = 1) but kept out of the continual metrics, so that a
     * deliberate drop (a class forgotten) is not mistaken for forgetting or a stability gap.
     */
    EvaluationReport evaluate(java.util.function.Function<LabeledBatch, int[]> predict, String model, long version,
                              long step, int currentTask, boolean afterErasure) {
        Map<Integer, Double> accuracy = new TreeMap<>();
        List<TaskAccuracy> perTaskAccuracy = new ArrayList<>();
        for (Map.Entry<Integer, List<TrainingExample>> entry : sets.entrySet()) {
            LabeledBatch batch = batches.computeIfAbsent(entry.getKey(), t -> ExampleBatches.of(entry.getValue(), inputDim));
            int[] predicted = predict.apply(batch);
            int[] labels = batch.labels();
            int correct = 0;
            for (int i = 0; i < labels.length; i++) {
                correct += predicted[i] == labels[i] ? 1 : 0;
            }
            double value = 100.0 * correct / labels.length;
            accuracy.put(entry.getKey(), value);
            perTaskAccuracy.add(new TaskAccuracy(entry.getKey(), value, batch.size()));
        }
        Map<String, Double> metrics = new TreeMap<>();
        if (afterErasure) {
            metrics.put("after_erasure", 1.0);
        } else {
            Evaluation evaluation = new Evaluation(step, currentTask, accuracy);
            minAccuracy.update(evaluation);
            worstCase.update(evaluation);
            forgetting.update(evaluation);
            gap.update(evaluation);
            taskEnds.update(evaluation);
        }
        putFinite(metrics, "min_acc", minAccuracy.result());
        putFinite(metrics, "wc_acc", worstCase.result());
        putFinite(metrics, "wf10", forgetting.result().forgetting());
        putFinite(metrics, "wp10", forgetting.result().plasticity());
        double deepest = gap.result().stream().mapToDouble(StabilityGap.Gap::depth).max().orElse(Double.NaN);
        putFinite(metrics, "stability_gap_max_depth", deepest);
        io.lethe.learning.metrics.TaskEndAccuracy.Result ends = taskEnds.result();
        putFinite(metrics, "acc_task_end", ends.accuracy());
        putFinite(metrics, "bwt_task_end", ends.backwardTransfer());
        metrics.put("current_task", (double) currentTask);
        double average = accuracy.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return EvaluationReport.newBuilder()
                .setModelName(model)
                .setModelVersion(version)
                .setStep(step)
                .setEvaluatedAt(Instant.now())
                .setTaskAccuracies(perTaskAccuracy)
                .setAverageAccuracy(average)
                .setMetrics(metrics)
                .build();
    }

    private static void putFinite(Map<String, Double> metrics, String key, double value) {
        if (Double.isFinite(value)) {
            metrics.put(key, value);
        }
    }
}
