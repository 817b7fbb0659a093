package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.Map;
import java.util.SplittableRandom;

/** Gradient ascent on the forget set: {@code steps} SGD steps that raise its mean cross-entropy. */
public record GradientAscent(int steps, int batchSize, double learningRate) implements UnlearningMethod {

    public GradientAscent {
        if (steps < 1 || batchSize < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("gradient ascent needs steps >= 1, batchSize >= 1, learningRate > 0");
        }
    }

    public static GradientAscent defaults() {
        return new GradientAscent(30, 64, 0.01);
    }

    @Override
    public String name() {
        return "gradient-ascent";
    }

    @Override
    public Map<String, String> config() {
        return MethodConfig.of(name(), "steps", steps, "batch_size", batchSize, "learning_rate", learningRate);
    }

    @Override
    public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        NetworkParameters network = new NetworkParameters(model);
        MomentumSgd sgd = new MomentumSgd(network.params(), 0.9, 0);
        SplittableRandom random = new SplittableRandom(seed);
        for (int t = 0; t < steps; t++) {
            LabeledBatch batch = Minibatches.draw(forget, batchSize, random);
            NetworkParameters.Tensors g = network.gradient(batch.inputs(), batch.labels(), null);
            g.scale(-1.0 / batch.size());
            sgd.step(g, MomentumSgd.cosine(learningRate, t, steps));
        }
    }
}
