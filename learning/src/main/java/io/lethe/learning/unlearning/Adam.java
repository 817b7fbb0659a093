package io.lethe.learning.unlearning;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma and Ba) with PyTorch's defaults (beta 0.9 and 0.999, eps 1e-8), over tensors named by
 * a key: each key keeps its own moments and step count, so one optimiser serves a network's
 * parameters or a set of adapters alike.
 */
final class Adam {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final double learningRate;
    private final Map<String, INDArray[]> moments = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();

    Adam(double learningRate) {
        this.learningRate = learningRate;
    }

    /** theta -= lr m^ / (sqrt(v^) + eps), the moments of {@code key} updated with {@code grad} first. */
    void step(String key, INDArray theta, INDArray grad) {
        INDArray[] mv = moments.computeIfAbsent(key, k -> new INDArray[] {Nd4j.zerosLike(theta), Nd4j.zerosLike(theta)});
        int t = steps.merge(key, 1, Integer::sum);
        INDArray m = mv[0].muli(BETA1).addi(grad.mul(1 - BETA1));
        INDArray v = mv[1].muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
        INDArray denominator = Transforms.sqrt(v.div(1 - Math.pow(BETA2, t)), false).addi(EPSILON);
        theta.subi(m.div(1 - Math.pow(BETA1, t)).divi(denominator).muli(learningRate));
    }
}
