package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.UnlearningResult;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.replay.Rehearsable;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MLP learning through one {@link TrainingStrategy}: every step calls the strategy's hooks
 * around the network's own SGD step, and task boundaries reach it through {@link #taskStarted}.
 * Everything else (prediction, unlearning, counts) is the network's.
 */
public final class StrategyLearner implements Rehearsable, io.lethe.learning.gradient.NetworkBacked {

    private final NetworkLearner network;
    private final TrainingStrategy strategy;
    private final double learningRate;
    private int task;
    /**
     * The task's end was already announced ({@link #endOfTask}), so the next task's start must not
     * announce it again. Not written with the state: only experiments announce ends; a stream learns
     * of them from the next task.
     */
    private boolean taskOver;
    private long peakBytes;

    public StrategyLearner(NetworkLearner network, TrainingStrategy strategy, double learningRate) {
        if (network.architecture() != NetworkLearner.Architecture.MLP) {
            throw new IllegalArgumentException("training strategies work on the MLP (explicit gradients), not "
                    + network.architecture());
        }
        this.network = network;
        this.strategy = strategy;
        this.learningRate = learningRate;
    }

    @Override
    public NetworkLearner network() {
        return network;
    }

    public TrainingStrategy strategy() {
        return strategy;
    }

    @Override
    public void learn(LabeledBatch batch) {
        learn(batch, batch.size());
    }

    @Override
    public void learn(LabeledBatch batch, int newExamples) {
        NetworkParameters params = new NetworkParameters(network);
        batch = strategy.stepBatch(batch, newExamples);
        strategy.beforeStep(params, batch, newExamples);
        Map<String, INDArray> before = null;
        if (strategy.needsParametersBeforeStep()) {
            before = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : params.params().values().entrySet()) {
                before.put(e.getKey(), e.getValue().dup());
            }
        }
        network.learn(batch, newExamples);
        strategy.afterStep(params, before, learningRate, batch, newExamples);
    }

    /**
     * The most extra state the strategy held: now, or when an announced task ended, before the
     * strategy dropped what it keeps only within a task (EWC's running Fisher, HFT's mask).
     */
    public long peakMemoryBytes() {
        return Math.max(peakBytes, strategy.memoryBytes());
    }

    @Override
    public void taskStarted(int next) {
        if (next > task) {
            if (!taskOver) {
                strategy.taskEnded(new NetworkParameters(network), task);
            }
            task = next;
            taskOver = false;
        }
    }

    @Override
    public void endOfTask(boolean last) {
        peakBytes = Math.max(peakBytes, strategy.memoryBytes());
        NetworkParameters params = new NetworkParameters(network);
        if (!taskOver) {
            strategy.taskEnded(params, task);
            taskOver = true;
        }
        if (last) {
            strategy.streamEnded(params);
        }
    }

    @Override
    public UnlearningResult unlearn(LabeledBatch batch) {
        return network.unlearn(batch);
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> m = new LinkedHashMap<>(network.config());
        strategy.config().forEach((k, v) -> m.put("strategy." + k, v));
        return m;
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        network.writeState(out);
        writeStrategyState(out);
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        network.readState(in);
        readStrategyState(in);
    }

    /** The strategy's part of the state alone (for a learner that writes the network itself). */
    public void writeStrategyState(DataOutputStream out) throws IOException {
        out.writeUTF(strategy.name());
        out.writeInt(task);
        strategy.writeState(out);
    }

    public void readStrategyState(DataInputStream in) throws IOException {
        String name = in.readUTF();
        if (!name.equals(strategy.name())) {
            throw new IOException("this state was written with the training strategy " + name + ", not " + strategy.name());
        }
        task = in.readInt();
        strategy.readState(in);
    }
}
