package io.lethe.learning.metrics;

import java.util.Map;
import java.util.TreeMap;

/**
 * ACC and BWT at task ends, from a continual evaluation stream: a task ends when the current task
 * changes, and the last evaluation before the change is that task's row R[i][*] of the accuracy
 * matrix. After the k-th ended task: ACC = mean over the ended tasks j of R[k][j]; BWT = mean over
 * the ended tasks j other than k of (R[k][j] - R[j][j]) (as {@link AccuracyMatrix}, restricted to
 * the tasks seen so far). FWT needs an untrained model's accuracy, which a stream does not
 * evaluate; the offline runners report it.
 */
public final class TaskEndAccuracy implements ContinualMetric<TaskEndAccuracy.Result> {

    /**
     * @param tasksEnded how many tasks have ended
     * @param accuracy ACC after the latest ended task (NaN before any)
     * @param backwardTransfer BWT after the latest ended task (NaN before two)
     */
    public record Result(int tasksEnded, double accuracy, double backwardTransfer) {
    }

    private final Map<Integer, Map<Integer, Double>> rows = new TreeMap<>();
    private Evaluation previous;
    private int latestEnded = -1;

    @Override
    public void update(Evaluation evaluation) {
        if (previous != null && evaluation.currentTask() != previous.currentTask()) {
            latestEnded = previous.currentTask();
            rows.put(latestEnded, previous.taskAccuracy());
        }
        previous = evaluation;
    }

    @Override
    public Result result() {
        if (latestEnded < 0) {
            return new Result(0, Double.NaN, Double.NaN);
        }
        Map<Integer, Double> last = rows.get(latestEnded);
        double accuracy = rows.keySet().stream().filter(last::containsKey).mapToDouble(last::get).average()
                .orElse(Double.NaN);
        double backward = rows.keySet().stream().filter(j -> j != latestEnded && last.containsKey(j)
                        && rows.get(j).containsKey(j))
                .mapToDouble(j -> last.get(j) - rows.get(j).get(j)).average().orElse(Double.NaN);
        return new Result(rows.size(), accuracy, backward);
    }

    @Override
    public void reset() {
        rows.clear();
        previous = null;
        latestEnded = -1;
    }
}
