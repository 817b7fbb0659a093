package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Several strategies around the same steps, in order ({@code ewc+fpf}: EWC at every step, FPF when
 * the last task is over): each hook runs every member's, and the state is the members' in order.
 */
public final class StrategyChain implements TrainingStrategy {

    private final List<TrainingStrategy> members;

    public StrategyChain(List<TrainingStrategy> members) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("a chain needs at least two strategies");
        }
        this.members = List.copyOf(members);
    }

    public List<TrainingStrategy> members() {
        return members;
    }

    @Override
    public String name() {
        return members.stream().map(TrainingStrategy::name).collect(Collectors.joining("+"));
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name());
        for (TrainingStrategy member : members) {
            member.config().forEach((k, v) -> {
                if (!k.equals("name")) {
                    m.put(member.name() + "." + k, v);
                }
            });
        }
        return m;
    }

    @Override
    public LabeledBatch stepBatch(LabeledBatch batch, int newExamples) {
        LabeledBatch step = batch;
        for (TrainingStrategy member : members) {
            step = member.stepBatch(step, newExamples);
        }
        return step;
    }

    @Override
    public void beforeStep(NetworkParameters network, LabeledBatch batch, int newExamples) {
        members.forEach(m -> m.beforeStep(network, batch, newExamples));
    }

    @Override
    public void afterStep(NetworkParameters network, Map<String, INDArray> before, double learningRate,
                          LabeledBatch batch, int newExamples) {
        members.forEach(m -> m.afterStep(network, before, learningRate, batch, newExamples));
    }

    @Override
    public boolean needsParametersBeforeStep() {
        return members.stream().anyMatch(TrainingStrategy::needsParametersBeforeStep);
    }

    @Override
    public void taskEnded(NetworkParameters network, int finished) {
        members.forEach(m -> m.taskEnded(network, finished));
    }

    @Override
    public void streamEnded(NetworkParameters network) {
        members.forEach(m -> m.streamEnded(network));
    }

    @Override
    public long memoryBytes() {
        return members.stream().mapToLong(TrainingStrategy::memoryBytes).sum();
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        for (TrainingStrategy member : members) {
            member.writeState(out);
        }
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        for (TrainingStrategy member : members) {
            member.readState(in);
        }
    }
}
