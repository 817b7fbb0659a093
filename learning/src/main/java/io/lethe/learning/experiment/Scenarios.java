package io.lethe.learning.experiment;

import io.lethe.learning.data.ImageDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The scenarios of {@code ../shared/README.md} section 2, built deterministically from a data set
 * and a seed: Split (class-incremental, classes {0,1},{2,3},...), Permuted (domain-incremental,
 * task 0 the identity permutation) and the power-law environment (tasks recur, an earlier task i
 * revisited after task n with weight (n - i + 1)^(-d)).
 */
public final class Scenarios {

    private Scenarios() {
    }

    /**
     * @param name split, permuted or power-law
     * @param tasks tasks (split: at most 5; permuted and power-law: any)
     * @param perTask training examples per task (0 = all)
     * @param exponent d of the power-law environment
     * @param revisits revisit segments after each new task (power-law environment)
     */
    public static Scenario named(String name, String dataName, ImageDataset train, ImageDataset test, int tasks,
                                 int perTask, double exponent, int revisits, long seed) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "split" -> split(dataName, train, test, tasks, perTask, seed);
            case "permuted" -> permuted(dataName, train, test, tasks, perTask, seed);
            case "power-law" -> powerLaw(dataName, train, test, tasks, perTask, exponent, revisits, seed);
            default -> throw new IllegalArgumentException("unknown scenario '" + name
                    + "' (expected split, permuted or power-law)");
        };
    }

    public static Scenario split(String dataName, ImageDataset train, ImageDataset test, int tasks, int perTask,
                                 long seed) {
        if (tasks < 1 || tasks > 5) {
            throw new IllegalArgumentException("split scenarios have 1 to 5 tasks, got " + tasks);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<TaskData> data = new ArrayList<>();
        List<Scenario.Segment> segments = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            int[] trainIdx = limit(shuffled(train.indicesOfClasses(2 * t, 2 * t + 1), random), perTask);
            int[] testIdx = shuffled(test.indicesOfClasses(2 * t, 2 * t + 1), random);
            data.add(new TaskData(t, train, trainIdx, test, testIdx, null));
            segments.add(new Scenario.Segment(t, trainIdx));
        }
        return new Scenario("split-" + dataName, "class-incremental, classes {0,1},{2,3},... per task", data,
                segments, IntStream.rangeClosed(1, tasks).boxed().toList());
    }

    public static Scenario permuted(String dataName, ImageDataset train, ImageDataset test, int tasks, int perTask,
                                    long seed) {
        List<TaskData> data = permutedTasks(train, test, tasks, perTask, seed);
        List<Scenario.Segment> segments = data.stream().map(t -> new Scenario.Segment(t.task(), t.trainIndices())).toList();
        return new Scenario("permuted-" + dataName, "domain-incremental, a seeded pixel permutation per task", data,
                segments, IntStream.rangeClosed(1, tasks).boxed().toList());
    }

    /**
     * Permuted tasks, where after each new task n the stream revisits earlier tasks: {@code revisits}
     * segments, each a task i < n drawn with weight (n - i + 1)^(-d), of a tenth of a task's examples.
     */
    public static Scenario powerLaw(String dataName, ImageDataset train, ImageDataset test, int tasks, int perTask,
                                    double exponent, int revisits, long seed) {
        if (!(exponent >= 0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("the environment's exponent d must be a finite number >= 0, got " + exponent);
        }
        if (revisits < 0) {
            throw new IllegalArgumentException("revisits must be >= 0, got " + revisits);
        }
        List<TaskData> data = permutedTasks(train, test, tasks, perTask, seed);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] cursor = new int[tasks];
        List<Scenario.Segment> segments = new ArrayList<>();
        List<Integer> blockEnds = new ArrayList<>();
        for (int n = 0; n < tasks; n++) {
            int[] own = data.get(n).trainIndices();
            int firstVisit = Math.max(1, own.length * 7 / 10);
            segments.add(new Scenario.Segment(n, Arrays.copyOfRange(own, 0, firstVisit)));
            cursor[n] = firstVisit;
            for (int r = 0; r < revisits && n > 0; r++) {
                int task = drawPowerLaw(n, exponent, random);
                int[] indices = data.get(task).trainIndices();
                int size = Math.max(1, indices.length / 10);
                int[] chunk = new int[size];
                for (int k = 0; k < size; k++) {
                    chunk[k] = indices[cursor[task]++ % indices.length];
                }
                segments.add(new Scenario.Segment(task, chunk));
            }
            blockEnds.add(segments.size());
        }
        return new Scenario("power-law-" + dataName, String.format(Locale.ROOT,
                "permuted tasks recurring with weight (n - i + 1)^-%.2f, %d revisits per new task", exponent, revisits),
                data, segments, blockEnds);
    }

    /** Task i < n with probability proportional to (n - i + 1)^(-d). */
    static int drawPowerLaw(int n, double exponent, SplittableRandom random) {
        double[] weights = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.pow(n - i + 1, -exponent);
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return n - 1;
    }

    private static List<TaskData> permutedTasks(ImageDataset train, ImageDataset test, int tasks, int perTask,
                                                long seed) {
        if (tasks < 1) {
            throw new IllegalArgumentException("at least one task, got " + tasks);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int dim = train.pixels()[0].length;
        List<TaskData> data = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            int[] permutation = t == 0 ? null : shuffled(IntStream.range(0, dim).toArray(), random);
            int[] trainIdx = limit(shuffled(IntStream.range(0, train.size()).toArray(), random), perTask);
            int[] testIdx = shuffled(IntStream.range(0, test.size()).toArray(), random);
            data.add(new TaskData(t, train, trainIdx, test, testIdx, permutation));
        }
        return data;
    }

    static int[] shuffled(int[] values, SplittableRandom random) {
        int[] out = values.clone();
        shuffleInPlace(out, random);
        return out;
    }

    /** Fisher-Yates with the given random source: the one shuffle of the experiments, the demo and the benchmarks. */
    public static void shuffleInPlace(int[] out, SplittableRandom random) {
        for (int i = out.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = out[i];
            out[i] = out[j];
            out[j] = tmp;
        }
    }

    private static int[] limit(int[] values, int count) {
        return count <= 0 || count >= values.length ? values : Arrays.copyOf(values, count);
    }
}
