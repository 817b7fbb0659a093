package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fine-tuning on retained data only (catastrophic forgetting as unlearning): {@code steps} SGD
 * steps (momentum 0.9, weight decay 5e-4, cosine learning rate) on remain minibatches.
 */
public record FineTune(int steps, int batchSize, double learningRate) implements UnlearningMethod {

    public FineTune {
        if (steps < 1 || batchSize < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("fine-tune needs steps >= 1, batchSize >= 1, learningRate > 0");
        }
    }

    public static FineTune defaults() {
        return new FineTune(300, 64, 0.01);
    }

    @Override
    public String name() {
        return "fine-tune";
    }

    @Override
    public Map<String, String> config() {
        return MethodConfig.of(name(), "steps", steps, "batch_size", batchSize, "learning_rate", learningRate);
    }

    @Override
    public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        if (remain == null) {
            throw new IllegalArgumentException("fine-tuning needs retained data");
        }
        NetworkParameters network = new NetworkParameters(model);
        MomentumSgd sgd = new MomentumSgd(network.params(), 0.9, 5e-4);
        SplittableRandom remainRandom = new SplittableRandom(seed + 1);
        for (int t = 0; t < steps; t++) {
            SfrOn.remainStep(network, sgd, remain.sample(batchSize, remainRandom), MomentumSgd.cosine(learningRate, t, steps));
        }
    }
}
