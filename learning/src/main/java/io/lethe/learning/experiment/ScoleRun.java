package io.lethe.learning.experiment;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * SCoLe, "Challenging Common Assumptions about Catastrophic Forgetting" (Lesort et al.): a long
 * sequence of tasks, each two classes drawn at random (so classes recur), each trained on a fresh
 * random draw of their images; after every task the model is measured on the whole 10-class test
 * set. The paper's finding: under such re-occurrence, even plain SGD accumulates knowledge over the
 * sequence, its accuracy on all classes rising well above what any single two-class task gives.
 */
public final class ScoleRun {

    /**
     * @param tasks number of tasks in the sequence
     * @param perTask images per task (half from each class, drawn anew each time)
     * @param batchSize stream examples per step
     * @param evalSize test images measured after each task (a fixed seeded subset of the test set)
     */
    public record Settings(int tasks, int perTask, int batchSize, int evalSize, long seed) {
        public Settings {
            if (tasks < 1 || perTask < 2 || batchSize < 1 || evalSize < 1) {
                throw new IllegalArgumentException("SCoLe needs tasks >= 1, perTask >= 2, batchSize >= 1, evalSize >= 1");
            }
        }
    }

    /** Accuracy (%) on the evaluation images after each task, and the class pair of each task. */
    public record Result(double[] accuracyAfterTask, int[][] classes, double seconds) {

        /** The mean accuracy over tasks [from, to) (1-based task numbers from 1 to the sequence's length). */
        public double meanOver(int from, int to) {
            return IntStream.range(from - 1, Math.min(to - 1, accuracyAfterTask.length)).mapToDouble(i -> accuracyAfterTask[i])
                    .average().orElse(Double.NaN);
        }
    }

    private ScoleRun() {
    }

    /** The class pair of every task: two distinct classes of ten, uniformly, seeded. */
    public static int[][] classPairs(int tasks, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] pairs = new int[tasks][];
        for (int t = 0; t < tasks; t++) {
            int a = random.nextInt(10);
            int b = random.nextInt(9);
            pairs[t] = new int[] {a, b >= a ? b + 1 : b};
        }
        return pairs;
    }

    public static Result run(ImageDataset train, ImageDataset test, ReplayTrainer trainer, Settings settings,
                             Consumer<String> progress) {
        int[][] pairs = classPairs(settings.tasks(), settings.seed());
        SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x5C01EL);
        int[] evalRows = IntStream.range(0, test.size()).boxed().sorted((x, y) -> Long.compare(mix(x, settings.seed()),
                mix(y, settings.seed()))).limit(settings.evalSize()).mapToInt(Integer::intValue).toArray();
        LabeledBatch evaluation = test.batch(evalRows);
        int[][] byClass = new int[10][];
        for (int c = 0; c < 10; c++) {
            byClass[c] = train.indicesOfClasses(c);
        }
        double[] accuracy = new double[settings.tasks()];
        long learnNanos = 0;
        for (int t = 0; t < settings.tasks(); t++) {
            List<Integer> rows = new ArrayList<>(settings.perTask());
            for (int i = 0; i < settings.perTask(); i++) {
                int[] pool = byClass[pairs[t][i % 2]];
                rows.add(pool[random.nextInt(pool.length)]);
            }
            java.util.Collections.shuffle(rows, new java.util.Random(random.nextLong()));
            long started = System.nanoTime();
            for (int from = 0; from < rows.size(); from += settings.batchSize()) {
                List<ReplayItem<float[]>> batch = new ArrayList<>();
                for (int k = from; k < Math.min(rows.size(), from + settings.batchSize()); k++) {
                    int index = rows.get(k);
                    batch.add(ReplayTrainer.item("scole-" + t + "-" + k, "subject-" + index % 1000, t, train.labels()[index],
                            input(train.pixels()[index])));
                }
                trainer.learn(batch);
            }
            learnNanos += System.nanoTime() - started;
            accuracy[t] = Accuracy.percent(trainer.learner(), evaluation);
            if ((t + 1) % Math.max(1, settings.tasks() / 10) == 0) {
                progress.accept(String.format(java.util.Locale.ROOT, "  task %d/%d (classes %d, %d): accuracy on all"
                        + " ten classes %.2f%%", t + 1, settings.tasks(), pairs[t][0], pairs[t][1], accuracy[t]));
            }
        }
        return new Result(accuracy, pairs, learnNanos / 1e9);
    }

    private static float[] input(byte[] pixels) {
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = io.lethe.learning.data.Pixels.intensity(pixels[i]);
        }
        return x;
    }

    private static long mix(long x, long seed) {
        long h = (x + 1) * 0x9E3779B97F4A7C15L ^ seed;
        h ^= h >>> 31;
        return h * 0xBF58476D1CE4E5B9L;
    }
}
