package io.lethe.learning.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that decides how a learner rehearses, validated on construction so that a bad setting
 * fails at start-up with a message naming it.
 *
 * @param scheduler none, uniform or power-law
 * @param exponent d of the power-law schedule (>= 0)
 * @param budget replayed examples mixed into each training step (>= 0)
 * @param capacity buffer capacity in examples (>= 1)
 * @param maxBytes buffer capacity in bytes (>= 1)
 * @param policy reservoir, class-balanced or task-balanced
 * @param taskFreeWindow 0 to use the examples' task field; otherwise stream time in examples per pseudo-task
 * @param seed seeds the buffer's sampling
 */
public record RehearsalConfig(String scheduler, double exponent, int budget, int capacity, long maxBytes,
                              String policy, long taskFreeWindow, long seed) {

    public RehearsalConfig {
        List<String> problems = new ArrayList<>();
        scheduler = scheduler.toLowerCase(Locale.ROOT);
        policy = policy.toLowerCase(Locale.ROOT);
        if (!List.of("none", "uniform", "power-law").contains(scheduler)) {
            problems.add("unknown rehearsal scheduler '" + scheduler + "' (expected none, uniform or power-law)");
        }
        if (!(exponent >= 0) || Double.isInfinite(exponent)) {
            problems.add("the power-law exponent must be a finite number >= 0, got " + exponent);
        }
        if (budget < 0) {
            problems.add("the rehearsal budget must be >= 0 replayed examples per step, got " + budget);
        }
        if (capacity < 1) {
            problems.add("the replay capacity must be at least 1 example, got " + capacity);
        }
        if (maxBytes < 1) {
            problems.add("the replay capacity in bytes must be at least 1, got " + maxBytes);
        }
        if (!List.of("reservoir", "class-balanced", "task-balanced").contains(policy)) {
            problems.add("unknown replay storage policy '" + policy + "' (expected reservoir, class-balanced or task-balanced)");
        }
        if (taskFreeWindow < 0) {
            problems.add("the task-free window must be >= 0 examples, got " + taskFreeWindow);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid rehearsal configuration: " + String.join("; ", problems));
        }
    }

    /** No rehearsal (naive fine-tuning); the buffer still exists so that erasure logic is uniform. */
    public static RehearsalConfig none(long seed) {
        return new RehearsalConfig("none", 0, 0, 1, 1L << 20, "reservoir", 0, seed);
    }

    public ReplayTrainer trainer(Rehearsable learner) {
        return new ReplayTrainer(learner, new ReplayBuffer<>(capacity, maxBytes, StoragePolicy.named(policy), seed),
                RehearsalScheduler.named(scheduler, exponent), budget, taskFreeWindow);
    }

    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("rehearsal.scheduler", scheduler);
        m.put("rehearsal.exponent", Double.toString(exponent));
        m.put("rehearsal.budget", Integer.toString(budget));
        m.put("replay.capacity", Integer.toString(capacity));
        m.put("replay.max.bytes", Long.toString(maxBytes));
        m.put("replay.policy", policy);
        m.put("replay.task.free.window", Long.toString(taskFreeWindow));
        return m;
    }
}
