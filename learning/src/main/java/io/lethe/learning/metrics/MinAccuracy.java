package io.lethe.learning.metrics;

import java.util.Map;
import java.util.TreeMap;

/**
 * min-ACC: for every finished task i (one whose training has ended), the minimum of A(E_i, t) over
 * the evaluations after its training ended, averaged over the finished tasks. NaN before any task
 * has finished.
 */
public final class MinAccuracy implements ContinualMetric<Double> {

    private final Map<Integer, Double> minimum = new TreeMap<>();

    @Override
    public void update(Evaluation evaluation) {
        evaluation.taskAccuracy().forEach((task, accuracy) -> {
            if (task < evaluation.currentTask()) {
                minimum.merge(task, accuracy, Math::min);
            }
        });
    }

    /** Minimum accuracy seen for each finished task. */
    public Map<Integer, Double> perTask() {
        return Map.copyOf(minimum);
    }

    @Override
    public Double result() {
        return minimum.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    @Override
    public void reset() {
        minimum.clear();
    }
}
