package io.lethe.learning.metrics;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Windowed forgetting WF^w and windowed plasticity WP^w. For each task, over its last w evaluations,
 * WF is the largest drop A_m - A_n with m before n (0 if accuracy only rises), kept as a running
 * maximum and averaged over the tasks evaluated while not being learned; WP is the largest rise
 * A_n - A_m on the task being learned, kept likewise and averaged over tasks.
 */
public final class WindowedForgetting implements ContinualMetric<WindowedForgetting.Result> {

    /** Average WF^w over tasks, average WP^w over tasks, and the per-task values. */
    public record Result(double forgetting, double plasticity, Map<Integer, Double> forgettingPerTask,
                         Map<Integer, Double> plasticityPerTask) {
    }

    private final int window;
    private final Map<Integer, Deque<Double>> history = new TreeMap<>();
    private final Map<Integer, Double> forgetting = new TreeMap<>();
    private final Map<Integer, Double> plasticity = new TreeMap<>();

    public WindowedForgetting(int window) {
        if (window < 2) {
            throw new IllegalArgumentException("the window must hold at least 2 evaluations, got " + window);
        }
        this.window = window;
    }

    @Override
    public void update(Evaluation evaluation) {
        evaluation.taskAccuracy().forEach((task, accuracy) -> {
            Deque<Double> recent = history.computeIfAbsent(task, t -> new ArrayDeque<>());
            recent.addLast(accuracy);
            if (recent.size() > window) {
                recent.removeFirst();
            }
            double maxBefore = Double.NEGATIVE_INFINITY;
            double minBefore = Double.POSITIVE_INFINITY;
            double drop = 0;
            double rise = 0;
            for (double a : recent) {
                if (maxBefore != Double.NEGATIVE_INFINITY) {
                    drop = Math.max(drop, maxBefore - a);
                    rise = Math.max(rise, a - minBefore);
                }
                maxBefore = Math.max(maxBefore, a);
                minBefore = Math.min(minBefore, a);
            }
            if (task < evaluation.currentTask()) {
                forgetting.merge(task, drop, Math::max);
            } else if (task == evaluation.currentTask()) {
                plasticity.merge(task, rise, Math::max);
            }
        });
    }

    @Override
    public Result result() {
        return new Result(average(forgetting), average(plasticity), Map.copyOf(forgetting), Map.copyOf(plasticity));
    }

    private static double average(Map<Integer, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    @Override
    public void reset() {
        history.clear();
        forgetting.clear();
        plasticity.clear();
    }
}
