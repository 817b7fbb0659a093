package io.lethe.learning.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * How many replayed examples of each earlier task to mix into the next training step, given a
 * rehearsal budget: none; uniform (in proportion to what the buffer holds); or power-law (task i,
 * seen before current task n, weighted (n - i + 1)^(-d), the rate at which natural environments
 * bring a task back; Gandhi et al., arXiv 2401.10393).
 */
public interface RehearsalScheduler {

    /**
     * @param currentTask the task being learned
     * @param storedPerTask examples the buffer holds per task
     * @param budget replayed examples per step
     * @return task -> replayed examples this step (sums to at most the budget)
     */
    Map<Integer, Integer> plan(int currentTask, SortedMap<Integer, Integer> storedPerTask, int budget);

    static RehearsalScheduler none() {
        return (currentTask, stored, budget) -> Map.of();
    }

    static RehearsalScheduler uniform() {
        return (currentTask, stored, budget) -> {
            Map<Integer, Double> weights = new LinkedHashMap<>();
            stored.forEach((task, count) -> weights.put(task, count.doubleValue()));
            return allocate(weights, budget, stored);
        };
    }

    static RehearsalScheduler powerLaw(double exponent) {
        if (!(exponent >= 0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("the power-law exponent d must be a finite number >= 0, got " + exponent);
        }
        return (currentTask, stored, budget) -> {
            Map<Integer, Double> weights = new LinkedHashMap<>();
            stored.forEach((task, count) -> {
                if (task < currentTask && count > 0) {
                    weights.put(task, Math.pow(currentTask - task + 1, -exponent));
                }
            });
            return allocate(weights, budget, stored);
        };
    }

    static RehearsalScheduler named(String name, double exponent) {
        return switch (name) {
            case "none" -> none();
            case "uniform" -> uniform();
            case "power-law" -> powerLaw(exponent);
            default -> throw new IllegalArgumentException("unknown rehearsal scheduler '" + name
                    + "' (expected none, uniform or power-law)");
        };
    }

    /** Largest-remainder rounding of budget * weight / sum, capped by what is stored. */
    static Map<Integer, Integer> allocate(Map<Integer, Double> weights, int budget, Map<Integer, Integer> stored) {
        if (budget < 0) {
            throw new IllegalArgumentException("the rehearsal budget must be >= 0, got " + budget);
        }
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<Integer, Integer> plan = new LinkedHashMap<>();
        if (total <= 0 || budget == 0) {
            return plan;
        }
        List<Map.Entry<Integer, Double>> remainders = new ArrayList<>();
        int assigned = 0;
        for (Map.Entry<Integer, Double> entry : weights.entrySet()) {
            double exact = budget * entry.getValue() / total;
            int floor = (int) Math.floor(exact);
            plan.put(entry.getKey(), floor);
            assigned += floor;
            remainders.add(Map.entry(entry.getKey(), exact - floor));
        }
        remainders.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        for (int i = 0; i < budget - assigned && i < remainders.size(); i++) {
            plan.merge(remainders.get(i).getKey(), 1, Integer::sum);
        }
        plan.replaceAll((task, count) -> Math.min(count, stored.getOrDefault(task, 0)));
        return plan;
    }
}
