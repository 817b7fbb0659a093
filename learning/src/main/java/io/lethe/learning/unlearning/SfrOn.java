package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SFR-on (Huang et al., NeurIPS 2024). A saliency mask keeps the parameters whose forget-set Fisher
 * diagonal is at least {@code gamma} times the remain-set one. Then, for t = 0..T-1: every
 * {@code forgetEvery}-th step a forget step that ascends the forget loss with per-example weights
 * eps_i = B l_i^-lambda / sum_j l_j^-lambda (examples already forgotten, with a high loss, weigh
 * less), scaled by alpha_t = alphaMax (1 + cos(pi t / T)) / 2, masked and clipped to norm
 * {@code clip}; and every step a remain step (plain cross-entropy on retained data). SGD with
 * momentum 0.9, weight decay 5e-4, cosine learning rate. With alphaMax = 0 the forget steps do
 * nothing and the method is {@link FineTune} with the same settings.
 *
 * <p>Defaults: the authors' gamma 1, lambda 0.5, alpha 25, clip 7; step count, learning rate and
 * forget-step period (200 steps, 0.05, every 4th) were chosen on MNIST with the 784-400-400-10 MLP
 * so that forgetting a whole class completes within a tenth of the retrain oracle's time.
 *
 * <p>With {@code rho > 0} (the {@code sfr-on-sam} variant) each forget step's gradient is
 * sharpness-aware ({@link SharpnessAware}, Fan et al.): the weighted forget loss is ascended at the
 * worst point within radius rho, the remain steps stay plain.
 */
public record SfrOn(int steps, int batchSize, double learningRate, double gamma, double lambda, double alphaMax,
                    double clip, int forgetEvery, int fisherBatches, double rho) implements UnlearningMethod {

    /**
     * The SAM radius of the {@code -sam} variants: 0.05 (Foret et al.'s default for image networks),
     * against a parameter norm of about 30 for the 784-400-400-10 MLP.
     */
    public static final double SAM_RHO = 0.05;

    public SfrOn {
        if (steps < 1 || batchSize < 1 || !(learningRate > 0) || !(gamma > 0) || lambda < 0 || alphaMax < 0
                || !(clip > 0) || forgetEvery < 1 || fisherBatches < 1 || !(rho >= 0)) {
            throw new IllegalArgumentException("invalid SFR-on settings: " + steps + " steps, batch " + batchSize
                    + ", lr " + learningRate + ", gamma " + gamma + ", lambda " + lambda + ", alpha " + alphaMax
                    + ", clip " + clip + ", forget every " + forgetEvery + ", fisher batches " + fisherBatches
                    + ", rho " + rho);
        }
    }

    public SfrOn(int steps, int batchSize, double learningRate, double gamma, double lambda, double alphaMax, double clip,
                 int forgetEvery, int fisherBatches) {
        this(steps, batchSize, learningRate, gamma, lambda, alphaMax, clip, forgetEvery, fisherBatches, 0);
    }

    public static SfrOn defaults() {
        return new SfrOn(200, 64, 0.05, 1.0, 0.5, 25, 7, 4, 10);
    }

    public SfrOn withAlphaMax(double alpha) {
        return new SfrOn(steps, batchSize, learningRate, gamma, lambda, alpha, clip, forgetEvery, fisherBatches, rho);
    }

    /** The same with sharpness-aware forget steps of radius {@code radius}. */
    public SfrOn withSam(double radius) {
        return new SfrOn(steps, batchSize, learningRate, gamma, lambda, alphaMax, clip, forgetEvery, fisherBatches, radius);
    }

    @Override
    public String name() {
        return rho > 0 ? "sfr-on-sam" : "sfr-on";
    }

    @Override
    public Map<String, String> config() {
        return MethodConfig.of(name(), "steps", steps, "batch_size", batchSize, "learning_rate", learningRate, "gamma", gamma,
                "lambda", lambda, "alpha", alphaMax, "clip", clip, "forget_every", forgetEvery, "rho", rho);
    }

    @Override
    public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        if (remain == null) {
            throw new IllegalArgumentException("SFR-on needs retained data for its remain steps");
        }
        NetworkParameters network = new NetworkParameters(model);
        SplittableRandom forgetRandom = new SplittableRandom(seed);
        SplittableRandom remainRandom = new SplittableRandom(seed + 1);
        NetworkParameters.Tensors mask = alphaMax == 0 ? null : saliencyMask(network, forget, remain, forgetRandom);
        MomentumSgd sgd = new MomentumSgd(network.params(), 0.9, 5e-4);
        for (int t = 0; t < steps; t++) {
            double lr = MomentumSgd.cosine(learningRate, t, steps);
            double alpha = alphaMax * (1 + Math.cos(Math.PI * t / steps)) / 2;
            if (t % forgetEvery == 0 && alpha > 0) {
                LabeledBatch batch = Minibatches.draw(forget, batchSize, forgetRandom);
                double[] eps = sampleWeights(network.losses(batch.inputs(), batch.labels()), lambda);
                // loss = -alpha * mean(eps_i l_i): gradient = sum_i (-alpha eps_i / B) grad l_i
                double[] weights = new double[eps.length];
                for (int i = 0; i < eps.length; i++) {
                    weights[i] = -alpha * eps[i] / eps.length;
                }
                NetworkParameters.Tensors g = SharpnessAware.gradient(network,
                        at -> at.gradient(batch.inputs(), batch.labels(), weights), rho);
                g.values().forEach((name, v) -> v.muli(mask.values().get(name)));
                double norm = g.norm();
                if (norm > clip) {
                    g.scale(clip / norm);
                }
                sgd.step(g, lr);
            }
            remainStep(network, sgd, remain.sample(batchSize, remainRandom), lr);
        }
    }

    /** One SGD step on the mean cross-entropy of a retained minibatch. */
    static void remainStep(NetworkParameters network, MomentumSgd sgd, LabeledBatch batch, double lr) {
        NetworkParameters.Tensors g = network.gradient(batch.inputs(), batch.labels(), null);
        g.scale(1.0 / batch.size());
        sgd.step(g, lr);
    }

    /** eps_i = B * l_i^-lambda / sum_j l_j^-lambda: they sum to the batch size. */
    public static double[] sampleWeights(double[] losses, double lambda) {
        double[] w = new double[losses.length];
        double sum = 0;
        for (int i = 0; i < losses.length; i++) {
            w[i] = Math.pow(Math.max(losses[i], 1e-12), -lambda);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = losses.length * w[i] / sum;
        }
        return w;
    }

    /** m = [(F_f + 1e-15) / (F_r + 1e-15) >= gamma], F the mean squared gradient of the mean loss. */
    NetworkParameters.Tensors saliencyMask(NetworkParameters network, LabeledBatch forget, RemainSampler remain,
                                           SplittableRandom random) {
        NetworkParameters.Tensors forgetFisher = network.params().zerosLike();
        NetworkParameters.Tensors remainFisher = network.params().zerosLike();
        for (int b = 0; b < fisherBatches; b++) {
            SelectiveSynapticDampening.accumulateSquared(network, Minibatches.draw(forget, batchSize, random), forgetFisher);
            SelectiveSynapticDampening.accumulateSquared(network, remain.sample(batchSize, random), remainFisher);
        }
        forgetFisher.scale(1.0 / fisherBatches);
        remainFisher.scale(1.0 / fisherBatches);
        return mask(forgetFisher, remainFisher, gamma);
    }

    static NetworkParameters.Tensors mask(NetworkParameters.Tensors forgetFisher, NetworkParameters.Tensors remainFisher,
                                          double gamma) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        forgetFisher.values().forEach((name, f) -> {
            INDArray ratio = f.add(1e-15).divi(remainFisher.values().get(name).add(1e-15));
            out.put(name, ratio.gte(gamma).castTo(DataType.FLOAT));
        });
        return new NetworkParameters.Tensors(out);
    }
}
