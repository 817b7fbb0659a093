package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * IAU, "Efficient Machine Unlearning via Influence Approximation" (Liu, Wu, Lian, Chen 2025). The
 * influence of a training example on the model is approximated without the Hessian, as an
 * incremental-learning step would move it (the Hessian replaced by the identity, so influence
 * becomes a gradient inner product); forgetting the forget set is then the incremental step that
 * adds the remaining data's mean-loss gradient and subtracts the forget set's:
 * g = grad mean CE(remain) - grad mean CE(forget), both over whole sets, not minibatches. The
 * authors take one Adam step along g (their {@code IAU_unlearn.py}); Adam's first step is
 * lr g / (|g| + eps) per parameter, which is what {@link #steps} = 1 applies. More steps continue
 * with Adam's moments, recomputing g each time.
 *
 * <p>Not reproduced: the authors also train the original model with a gradient-restriction loss
 * (CE + alpha |grad CE|) that keeps per-example gradients small, so that one step suffices; Lethe's
 * networks are trained with plain cross-entropy, so IAU here starts from an unrestricted model.
 *
 * @param remainSamples retained examples the remain gradient averages over (drawn once)
 * @param learningRate Adam's learning rate
 * @param steps Adam steps (the paper: 1)
 */
public record InfluenceApproximation(int remainSamples, double learningRate, int steps) implements UnlearningMethod {

    public static final String NAME = "iau";
    private static final int CHUNK = 4_096;

    public InfluenceApproximation {
        if (remainSamples < 1 || !(learningRate > 0) || steps < 1) {
            throw new IllegalArgumentException("IAU needs remainSamples >= 1, learningRate > 0, steps >= 1; got "
                    + remainSamples + ", " + learningRate + ", " + steps);
        }
    }

    public static InfluenceApproximation defaults() {
        return new InfluenceApproximation(10_000, 0.001, 1);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> config() {
        return MethodConfig.of(name(), "remain_samples", remainSamples, "learning_rate", learningRate, "steps", steps,
                "optimizer", "adam");
    }

    @Override
    public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        if (remain == null) {
            throw new IllegalArgumentException("IAU needs retained data for its remain gradient");
        }
        NetworkParameters network = new NetworkParameters(model);
        LabeledBatch remaining = remain.sample((int) Math.min(remainSamples, Math.max(1, remain.size())),
                new SplittableRandom(seed));
        NetworkParameters.Tensors params = network.params();
        Adam adam = new Adam(learningRate);
        for (int t = 1; t <= steps; t++) {
            NetworkParameters.Tensors g = direction(network, remaining, forget);
            params.values().forEach((name, theta) -> adam.step(name, theta, g.values().get(name)));
        }
    }

    /** g = grad mean CE(remain) - grad mean CE(forget): the direction IAU descends. */
    static NetworkParameters.Tensors direction(NetworkParameters network, LabeledBatch remain, LabeledBatch forget) {
        NetworkParameters.Tensors g = meanGradient(network, remain);
        NetworkParameters.Tensors f = meanGradient(network, forget);
        g.values().forEach((name, v) -> v.subi(f.values().get(name)));
        return g;
    }

    /** The gradient of the mean cross-entropy over a whole set, computed in chunks. */
    static NetworkParameters.Tensors meanGradient(NetworkParameters network, LabeledBatch batch) {
        NetworkParameters.Tensors sum = null;
        for (int from = 0; from < batch.size(); from += CHUNK) {
            LabeledBatch chunk = batch.size() <= CHUNK ? batch : slice(batch, from, Math.min(batch.size(), from + CHUNK));
            NetworkParameters.Tensors g = network.gradient(chunk.inputs(), chunk.labels(), null);
            if (sum == null) {
                sum = g;
            } else {
                NetworkParameters.Tensors total = sum;
                g.values().forEach((name, v) -> total.values().get(name).addi(v));
            }
        }
        sum.scale(1.0 / batch.size());
        return sum;
    }

    private static LabeledBatch slice(LabeledBatch batch, int from, int to) {
        return new LabeledBatch(batch.inputs().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                org.nd4j.linalg.indexing.NDArrayIndex.all()), java.util.Arrays.copyOfRange(batch.labels(), from, to));
    }
}
