package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.replay.ReplayBuffer;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * k-FPF, "Does Continual Learning Equally Forget All Parameters?" (Zhao et al., ICML 2023): instead
 * of replaying at every step, every {@code period} steps fine-tune only the forgetting-prone
 * modules on the buffer, {@code steps} SGD steps of {@code batchSize} buffered examples, every other
 * parameter untouched. Which modules are forgetting-prone the paper measures per architecture; for
 * an MLP, as for its CNNs, they are the output layer and the last hidden layer, the default here
 * ({@code 1_W, 1_b, 2_W, 2_b} of the 784-400-400-10 network). It runs with a buffer that is filled
 * but not replayed every step (replay budget 0): the buffer comes from the replay trainer, set once
 * the trainer exists ({@link #useBuffer}).
 *
 * <p>FPF, the paper's other variant ({@link #once}), fine-tunes the same modules once, when the last
 * task is over, after any strategy; a stream has no last task, so FPF is for experiments.
 */
public final class ForgettingProneFineTuning implements TrainingStrategy, BufferedStrategy {

    /** The MLP's output layer and last hidden layer, by DL4J parameter name. */
    public static final Set<String> OUTPUT_AND_LAST_HIDDEN = Set.of("1_W", "1_b", "2_W", "2_b");

    private final int period;
    private final int steps;
    private final int batchSize;
    private final double learningRate;
    private final Set<String> modules;
    private final long seed;
    private ReplayBuffer<float[]> buffer;
    private long stepCount;
    private long fineTunings;

    /** @param period steps between fine-tunings; 0: only once, when the last task is over (FPF) */
    public ForgettingProneFineTuning(int period, int steps, int batchSize, double learningRate, Set<String> modules,
                                     long seed) {
        if (period < 0 || steps < 1 || batchSize < 1 || !(learningRate > 0) || modules.isEmpty()) {
            throw new IllegalArgumentException("k-FPF needs period >= 0, steps, batch size >= 1, a learning rate > 0 and modules");
        }
        this.period = period;
        this.steps = steps;
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.modules = Set.copyOf(modules);
        this.seed = seed;
    }

    /** FPF: {@code steps} steps on the modules once, when the last task is over. */
    public static ForgettingProneFineTuning once(int steps, int batchSize, double learningRate, Set<String> modules,
                                                 long seed) {
        return new ForgettingProneFineTuning(0, steps, batchSize, learningRate, modules, seed);
    }

    /** The buffer to fine-tune on (the replay trainer's). */
    @Override
    public void useBuffer(ReplayBuffer<float[]> replayBuffer) {
        this.buffer = replayBuffer;
    }

    @Override
    public String name() {
        return period == 0 ? "fpf" : "kfpf";
    }

    @Override
    public Map<String, String> config() {
        return Map.of("name", name(), "period_steps", Integer.toString(period), "fine_tune_steps", Integer.toString(steps),
                "batch_size", Integer.toString(batchSize), "learning_rate", Double.toString(learningRate),
                "modules", String.join(",", new java.util.TreeSet<>(modules)));
    }

    @Override
    public void afterStep(NetworkParameters network, Map<String, org.nd4j.linalg.api.ndarray.INDArray> before,
                          double stepRate, LabeledBatch batch, int newExamples) {
        stepCount++;
        if (period == 0 || stepCount % period != 0 || buffer == null || buffer.size() == 0) {
            return;
        }
        fineTune(network);
    }

    @Override
    public void streamEnded(NetworkParameters network) {
        if (period == 0 && buffer != null && buffer.size() > 0) {
            fineTune(network);
        }
    }

    /** {@code steps} SGD steps on buffered examples, on the forgetting-prone modules only. */
    void fineTune(NetworkParameters network) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + fineTunings++);
        List<ReplayItem<float[]>> items = buffer.items();
        for (int s = 0; s < steps; s++) {
            List<ReplayItem<float[]>> drawn = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                drawn.add(items.get(random.nextInt(items.size())));
            }
            LabeledBatch sample = ReplayTrainer.toBatch(drawn);
            NetworkParameters.Tensors g = network.gradient(sample.inputs(), sample.labels(), null);
            network.params().values().forEach((name, theta) -> {
                if (modules.contains(name)) {
                    theta.subi(g.values().get(name).muli(learningRate / sample.size()));
                }
            });
        }
    }

    long fineTunings() {
        return fineTunings;
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        out.writeLong(stepCount);
        out.writeLong(fineTunings);
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        stepCount = in.readLong();
        fineTunings = in.readLong();
    }
}
