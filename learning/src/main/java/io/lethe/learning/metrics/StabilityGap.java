package io.lethe.learning.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stability gap of each task transition, for each earlier task: the depth (accuracy at the last
 * evaluation before the new task started, minus the minimum while the new task is learned) and the
 * recovery time (steps from the transition until accuracy is back within {@code tolerance} points
 * of the pre-transition value; -1 while it has not recovered).
 */
public final class StabilityGap implements ContinualMetric<List<StabilityGap.Gap>> {

    /**
     * @param transitionStep step of the first evaluation of the new task
     * @param newTask the task that started
     * @param oldTask the earlier task measured
     * @param before accuracy on the old task just before the transition
     * @param minimum lowest accuracy on it since the transition
     * @param depth before - minimum (0 if it never dropped)
     * @param recoverySteps steps from the transition until back within tolerance, -1 if not yet
     */
    public record Gap(long transitionStep, int newTask, int oldTask, double before, double minimum, double depth,
                      long recoverySteps) {
    }

    private final double tolerance;
    private Evaluation previous;
    private final List<MutableGap> open = new ArrayList<>();
    private final List<Gap> closed = new ArrayList<>();

    public StabilityGap(double tolerancePoints) {
        this.tolerance = tolerancePoints;
    }

    private static final class MutableGap {
        final long transitionStep;
        final int newTask;
        final int oldTask;
        final double before;
        double minimum;
        long recovery = -1;

        MutableGap(long transitionStep, int newTask, int oldTask, double before) {
            this.transitionStep = transitionStep;
            this.newTask = newTask;
            this.oldTask = oldTask;
            this.before = before;
            this.minimum = before;
        }

        Gap freeze(double tolerance) {
            // Recovery 0: the accuracy never left the tolerance band (decided at the end, since a dip can come late).
            long recovered = minimum >= before - tolerance ? 0 : recovery;
            return new Gap(transitionStep, newTask, oldTask, before, minimum, Math.max(0, before - minimum), recovered);
        }
    }

    @Override
    public void update(Evaluation evaluation) {
        if (previous != null && evaluation.currentTask() != previous.currentTask()) {
            open.forEach(g -> closed.add(g.freeze(tolerance)));
            open.clear();
            Map<Integer, Double> before = new TreeMap<>(previous.taskAccuracy());
            before.forEach((task, accuracy) -> {
                if (task < evaluation.currentTask()) {
                    open.add(new MutableGap(evaluation.step(), evaluation.currentTask(), task, accuracy));
                }
            });
        }
        for (MutableGap gap : open) {
            Double accuracy = evaluation.taskAccuracy().get(gap.oldTask);
            if (accuracy == null) {
                continue;
            }
            gap.minimum = Math.min(gap.minimum, accuracy);
            if (gap.recovery < 0 && gap.minimum < gap.before - tolerance && accuracy >= gap.before - tolerance) {
                gap.recovery = evaluation.step() - gap.transitionStep;
            }
        }
        previous = evaluation;
    }

    @Override
    public List<Gap> result() {
        List<Gap> all = new ArrayList<>(closed);
        open.forEach(g -> all.add(g.freeze(tolerance)));
        return all;
    }

    /** Per transition (new task), the earlier task whose accuracy dropped deepest. */
    public static Map<Integer, Gap> deepestPerTransition(List<Gap> gaps) {
        Map<Integer, Gap> deepest = new TreeMap<>();
        for (Gap gap : gaps) {
            deepest.merge(gap.newTask(), gap, (a, b) -> b.depth() > a.depth() ? b : a);
        }
        return deepest;
    }

    @Override
    public void reset() {
        previous = null;
        open.clear();
        closed.clear();
    }
}
