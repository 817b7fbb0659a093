package io.lethe.streams.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which models of this process are retraining a network right now, and how far they are. A
 * retraining holds the stream thread and its open transaction, so nothing it would write to a topic
 * is visible before it ends: progress is shared in-process instead, for the dashboard and the logs of
 * the instance doing the work. Every application of the process shares it (the demo runs two).
 */
public final class RetrainingProgress {

    /**
     * One retraining in progress.
     *
     * @param model the model's name
     * @param done examples learned so far
     * @param total examples it will learn
     * @param startedAtMs wall-clock start
     * @param reason why the network is retrained (the path the receipt will name)
     */
    public record Progress(String model, long done, long total, long startedAtMs, String reason) {

        public double percent() {
            return total == 0 ? 100 : 100.0 * done / total;
        }
    }

    private static final Map<String, Progress> RUNNING = new ConcurrentHashMap<>();

    private RetrainingProgress() {
    }

    /** Records that the model's retraining has learned {@code done} of {@code total} examples. */
    public static void update(String model, long done, long total, long startedAtMs, String reason) {
        RUNNING.put(model, new Progress(model, done, total, startedAtMs, reason));
    }

    /** The model's retraining ended (finished or failed). */
    public static void finished(String model) {
        RUNNING.remove(model);
    }

    /** The retrainings running now, by model. */
    public static Map<String, Progress> running() {
        return Map.copyOf(RUNNING);
    }
}
