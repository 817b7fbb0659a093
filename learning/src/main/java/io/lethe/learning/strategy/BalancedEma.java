package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An exponential moving average of the weights whose coefficient is set per step and per tensor
 * from the gradients and the parameter change, after "Large Continual Instruction Assistant" (Qiao
 * et al., ICML 2025, CoIN): from a Taylor expansion of the loss, the balanced coefficient is
 * alpha = 2 (1 + |g_t|_1) / (|theta_t - theta*_t-1|_1 |g_t - g_t-1|_1), used when it lies in (0, 1)
 * and 0.01 otherwise, and theta* <- (1 - alpha) theta* + alpha theta_t after every step. When a task
 * is over the network takes the averaged weights, as the paper's trainer does at the end of each
 * task's training. The gradient of a step is read from the step itself, (theta_t - theta_t+1) / lr.
 */
public final class BalancedEma implements TrainingStrategy {

    /** The paper's fallback when the balanced coefficient leaves (0, 1). */
    static final double FALLBACK = 0.01;

    private Map<String, INDArray> average;
    private Map<String, INDArray> previousGradient;
    private long updates;
    private long balancedUpdates;

    @Override
    public String name() {
        return "ema";
    }

    @Override
    public Map<String, String> config() {
        return Map.of("name", name(), "coefficient", "balanced (CoIN), fallback " + FALLBACK);
    }

    @Override
    public boolean needsParametersBeforeStep() {
        return true;
    }

    @Override
    public void afterStep(NetworkParameters network, Map<String, INDArray> before, double learningRate,
                          LabeledBatch batch, int newExamples) {
        Map<String, INDArray> live = network.params().values();
        if (average == null) {
            average = TensorMaps.copy(live);
        }
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : live.entrySet()) {
            String name = e.getKey();
            INDArray theta = e.getValue();
            INDArray gradient = before.get(name).sub(theta).divi(learningRate);
            double alpha = coefficient(theta, average.get(name), gradient,
                    previousGradient == null ? null : previousGradient.get(name));
            updates++;
            if (alpha != FALLBACK) {
                balancedUpdates++;
            }
            average.get(name).muli(1 - alpha).addi(theta.mul(alpha));
            gradients.put(name, gradient);
        }
        previousGradient = gradients;
    }

    /** The balanced coefficient of one tensor, or the fallback when it leaves (0, 1) or cannot be formed. */
    static double coefficient(INDArray theta, INDArray average, INDArray gradient, INDArray previousGradient) {
        if (previousGradient == null) {
            return FALLBACK;
        }
        double distance = l1(theta.sub(average));
        double slope = l1(gradient);
        double curvature = l1(gradient.sub(previousGradient));
        double alpha = 2 * (1 + slope) / (distance * curvature);
        return alpha > 0 && alpha < 1 ? alpha : FALLBACK;
    }

    private static double l1(INDArray x) {
        return x.norm1Number().doubleValue();
    }

    @Override
    public void taskEnded(NetworkParameters network, int finished) {
        if (average == null) {
            return;
        }
        network.params().values().forEach((name, theta) -> theta.assign(average.get(name)));
    }

    /** Share of tensor updates that used the balanced coefficient (not the fallback). */
    double balancedShare() {
        return updates == 0 ? 0 : (double) balancedUpdates / updates;
    }

    @Override
    public long memoryBytes() {
        return TensorMaps.bytes(average) + TensorMaps.bytes(previousGradient);
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        TensorMaps.write(average, out);
        TensorMaps.write(previousGradient, out);
        out.writeLong(updates);
        out.writeLong(balancedUpdates);
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        average = TensorMaps.read(in);
        previousGradient = TensorMaps.read(in);
        updates = in.readLong();
        balancedUpdates = in.readLong();
    }
}
