package io.lethe.learning.metrics;

import java.util.Map;
import java.util.TreeMap;

/**
 * One continual evaluation: accuracy A(E_k, t) on each task's evaluation set at training step t,
 * while task {@code currentTask} is being learned. Accuracies are in percent.
 *
 * @param step training step (iteration or examples learned), increasing
 * @param currentTask the task being trained (0-based)
 * @param taskAccuracy task -> accuracy on its evaluation set
 */
public record Evaluation(long step, int currentTask, Map<Integer, Double> taskAccuracy) {

    public Evaluation {
        if (currentTask < 0) {
            throw new IllegalArgumentException("currentTask must be >= 0, got " + currentTask);
        }
        taskAccuracy = new TreeMap<>(taskAccuracy);
    }

    public static Evaluation of(long step, int currentTask, double... accuracies) {
        Map<Integer, Double> map = new TreeMap<>();
        for (int task = 0; task < accuracies.length; task++) {
            if (!Double.isNaN(accuracies[task])) {
                map.put(task, accuracies[task]);
            }
        }
        return new Evaluation(step, currentTask, map);
    }
}
