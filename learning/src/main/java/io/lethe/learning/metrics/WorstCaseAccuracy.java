package io.lethe.learning.metrics;

/**
 * WC-ACC at current task k (counted from 1): (1/k) A(E_k, t) + (1 - 1/k) min-ACC, using the latest
 * evaluation. With one task it is that task's accuracy.
 */
public final class WorstCaseAccuracy implements ContinualMetric<Double> {

    private final MinAccuracy minAccuracy = new MinAccuracy();
    private Evaluation latest;

    @Override
    public void update(Evaluation evaluation) {
        minAccuracy.update(evaluation);
        latest = evaluation;
    }

    @Override
    public Double result() {
        if (latest == null || !latest.taskAccuracy().containsKey(latest.currentTask())) {
            return Double.NaN;
        }
        double k = latest.currentTask() + 1;
        double current = latest.taskAccuracy().get(latest.currentTask());
        if (k == 1) {
            return current;
        }
        return current / k + (1 - 1 / k) * minAccuracy.result();
    }

    @Override
    public void reset() {
        minAccuracy.reset();
        latest = null;
    }
}
