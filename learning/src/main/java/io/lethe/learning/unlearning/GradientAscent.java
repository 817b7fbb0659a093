package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Gradient ascent on the forget set: {@code steps} SGD steps that raise its mean cross-entropy. With
 * {@code rho > 0} each step's gradient is sharpness-aware ({@link SharpnessAware}): taken at the worst
 * point within rho, as Fan et al. smooth the unlearning objective against relearning attacks.
 */
public record GradientAscent(int steps, int batchSize, double learningRate, double rho) implements UnlearningMethod {

    /** The SAM radius of {@code gradient-ascent-sam} (see {@link SfrOn#SAM_RHO}). */
    public static final double SAM_RHO = SfrOn.SAM_RHO;

    public GradientAscent {
        if (steps < 1 || batchSize < 1 || !(learningRate > 0) || !(rho >= 0)) {
            throw new IllegalArgumentException("gradient ascent needs steps >= 1, batchSize >= 1, learningRate > 0, rho >= 0");
        }
    }

    public GradientAscent(int steps, int batchSize, double learningRate) {
        this(steps, batchSize, learningRate, 0);
    }

    public static GradientAscent defaults() {
        return new GradientAscent(30, 64, 0.01);
    }

    /** The same with sharpness-aware steps of radius {@code radius}. */
    public GradientAscent withSam(double radius) {
        return new GradientAscent(steps, batchSize, learningRate, radius);
    }

    @Override
    public String name() {
        return rho > 0 ? "gradient-ascent-sam" : "gradient-ascent";
    }

    @Override
    public Map<String, String> config() {
        return rho > 0
                ? MethodConfig.of(name(), "steps", steps, "batch_size", batchSize, "learning_rate", learningRate, "rho", rho)
                : MethodConfig.of(name(), "steps", steps, "batch_size", batchSize, "learning_rate", learningRate);
    }

    @Override
    public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        NetworkParameters network = new NetworkParameters(model);
        MomentumSgd sgd = new MomentumSgd(network.params(), 0.9, 0);
        SplittableRandom random = new SplittableRandom(seed);
        for (int t = 0; t < steps; t++) {
            LabeledBatch batch = Minibatches.draw(forget, batchSize, random);
            NetworkParameters.Tensors g = SharpnessAware.gradient(network, at -> {
                NetworkParameters.Tensors ascent = at.gradient(batch.inputs(), batch.labels(), null);
                ascent.scale(-1.0 / batch.size());
                return ascent;
            }, rho);
            sgd.step(g, MomentumSgd.cosine(learningRate, t, steps));
        }
    }
}
