package io.lethe.learning.experiment;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.learning.metrics.AccuracyMatrix;
import io.lethe.learning.metrics.Evaluation;
import io.lethe.learning.metrics.MinAccuracy;
import io.lethe.learning.metrics.StabilityGap;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs a scenario through a {@link ReplayTrainer} in process (the offline mode: the same trainer the
 * streaming learner uses, without Kafka). Continual evaluation every {@code evalEvery} examples on
 * a subset of each seen task's evaluation set; full evaluation at the end of every task block for
 * the accuracy matrix.
 */
public final class ScenarioRun {

    /**
     * @param matrix R[i][j], in percent
     * @param untrained b_j: accuracy of the untrained model per task (for FWT)
     * @param minAccuracy min-ACC over the continual evaluations
     * @param gaps stability gaps, per transition and old task
     * @param examples stream examples learned
     * @param replayed replayed examples trained on
     * @param seconds wall time of learning (evaluation excluded)
     */
    public record Result(AccuracyMatrix matrix, double[] untrained, double minAccuracy, List<StabilityGap.Gap> gaps,
                         long examples, long replayed, double seconds) {

        public double throughput() {
            return examples / seconds;
        }
    }

    /** Settings of a run. */
    public record Settings(int batchSize, int evalEvery, int evalSubset) {
        public Settings {
            if (batchSize < 1 || evalEvery < 0 || evalSubset < 0) {
                throw new IllegalArgumentException("need batchSize >= 1, evalEvery >= 0, evalSubset >= 0");
            }
        }
    }

    private ScenarioRun() {
    }

    public static Result run(Scenario scenario, ReplayTrainer trainer, Settings settings, Consumer<String> progress) {
        List<TaskData> tasks = scenario.tasks();
        List<LabeledBatch> fullTests = tasks.stream().map(t -> t.testBatch(0)).toList();
        List<LabeledBatch> subsets = tasks.stream().map(t -> t.testBatch(settings.evalSubset())).toList();
        Learner learner = trainer.learner();
        AccuracyMatrix matrix = new AccuracyMatrix(tasks.size());
        double[] untrained = new double[tasks.size()];
        for (int j = 0; j < tasks.size(); j++) {
            untrained[j] = Accuracy.percent(learner, fullTests.get(j));
        }
        MinAccuracy minAccuracy = new MinAccuracy();
        StabilityGap gap = new StabilityGap(1.0);
        long examples = 0;
        long sinceEval = 0;
        long learnNanos = 0;
        int newestTask = 0;
        int segmentIndex = 0;
        int block = 0;
        long started = System.nanoTime();
        for (Scenario.Segment segment : scenario.segments()) {
            TaskData task = tasks.get(segment.task());
            newestTask = Math.max(newestTask, segment.task());
            int[] indices = segment.indices();
            for (int from = 0; from < indices.length; from += settings.batchSize()) {
                int to = Math.min(indices.length, from + settings.batchSize());
                List<ReplayItem<float[]>> batch = new ArrayList<>(to - from);
                for (int k = from; k < to; k++) {
                    int index = indices[k];
                    batch.add(ReplayTrainer.item("t" + task.task() + "-" + index, "subject-" + (index % 1000),
                            task.task(), task.label(index), task.input(index)));
                }
                long t0 = System.nanoTime();
                trainer.learn(batch);
                learnNanos += System.nanoTime() - t0;
                examples += batch.size();
                sinceEval += batch.size();
                if (settings.evalEvery() > 0 && sinceEval >= settings.evalEvery()) {
                    sinceEval = 0;
                    Evaluation evaluation = evaluate(learner, subsets, newestTask, examples);
                    minAccuracy.update(evaluation);
                    gap.update(evaluation);
                }
            }
            segmentIndex++;
            while (block < tasks.size() && scenario.blockEnds().get(block) == segmentIndex) {
                trainer.endOfTask(block == tasks.size() - 1);
                for (int j = 0; j < tasks.size(); j++) {
                    matrix.set(block, j, Accuracy.percent(learner, fullTests.get(j)));
                }
                double elapsed = (System.nanoTime() - started) / 1e9;
                progress.accept(String.format(java.util.Locale.ROOT,
                        "  block %d/%d done: %,d examples, %.1f s, accuracy on seen tasks %.2f%%", block + 1,
                        tasks.size(), examples, elapsed, seenAverage(matrix, block)));
                block++;
            }
        }
        return new Result(matrix, untrained, minAccuracy.result(), gap.result(), examples, trainer.replayedExamples(),
                learnNanos / 1e9);
    }

    private static double seenAverage(AccuracyMatrix matrix, int block) {
        double sum = 0;
        for (int j = 0; j <= block; j++) {
            sum += matrix.get(block, j);
        }
        return sum / (block + 1);
    }

    private static Evaluation evaluate(Learner learner, List<LabeledBatch> subsets, int currentTask, long step) {
        Map<Integer, Double> accuracies = new TreeMap<>();
        for (int j = 0; j <= currentTask && j < subsets.size(); j++) {
            accuracies.put(j, Accuracy.percent(learner, subsets.get(j)));
        }
        return new Evaluation(step, currentTask, accuracies);
    }
}
