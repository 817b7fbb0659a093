package io.lethe.learning.unlearning;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SGD with momentum and weight decay over the network's live parameters, as PyTorch's SGD:
 * g += wd * theta; v = mu * v + g; theta -= lr * v.
 */
final class MomentumSgd {

    private final NetworkParameters.Tensors params;
    private final double momentum;
    private final double weightDecay;
    private final Map<String, INDArray> velocity = new LinkedHashMap<>();

    MomentumSgd(NetworkParameters.Tensors params, double momentum, double weightDecay) {
        this.params = params;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        params.values().forEach((k, v) -> velocity.put(k, Nd4j.zerosLike(v)));
    }

    /** One step with the gradient of the loss (already averaged over the batch). */
    void step(NetworkParameters.Tensors gradient, double learningRate) {
        params.values().forEach((name, theta) -> {
            INDArray g = gradient.values().get(name);
            INDArray v = velocity.get(name);
            v.muli(momentum).addi(g);
            if (weightDecay != 0) {
                Nd4j.getBlasWrapper().level1().axpy(v.length(), weightDecay, theta, v);
            }
            Nd4j.getBlasWrapper().level1().axpy(v.length(), -learningRate, v, theta);
        });
    }

    /** lr * (1 + cos(pi t / T)) / 2. */
    static double cosine(double lr, int t, int total) {
        return lr * (1 + Math.cos(Math.PI * t / total)) / 2;
    }
}
