package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Refresh learning (Wang et al., "A Unified and General Framework for Continual Learning", ICLR
 * 2024): before learning a batch, unlearn it a little, one gradient-ascent step on its mean loss
 * with Gaussian noise (theta += gamma grad L + sigma eps), then learn it as usual. The ascent
 * undoes some over-fitting to the newest data and the noise lets the step leave a sharp minimum;
 * it is a plug-in that composes with replay (the replayed rows are learned, not unlearned). The
 * authors scale the ascent and noise by the Fisher; here both are isotropic, with gamma and sigma
 * as settings. Noise is drawn from a seed and the step count, so a rerun draws the same.
 */
public final class RefreshLearning implements TrainingStrategy {

    private final double gamma;
    private final double sigma;
    private final long seed;
    private long steps;

    public RefreshLearning(double gamma, double sigma, long seed) {
        if (!(gamma >= 0) || !(sigma >= 0)) {
            throw new IllegalArgumentException("refresh learning needs gamma >= 0 and sigma >= 0");
        }
        this.gamma = gamma;
        this.sigma = sigma;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "refresh";
    }

    @Override
    public Map<String, String> config() {
        return Map.of("name", name(), "gamma", Double.toString(gamma), "sigma", Double.toString(sigma));
    }

    @Override
    public void beforeStep(NetworkParameters network, LabeledBatch batch, int newExamples) {
        steps++;
        if (newExamples == 0) {
            return;
        }
        LabeledBatch fresh = newExamples == batch.size() ? batch : new LabeledBatch(
                batch.inputs().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, newExamples),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()),
                java.util.Arrays.copyOf(batch.labels(), newExamples));
        NetworkParameters.Tensors g = network.gradient(fresh.inputs(), fresh.labels(), null);
        long stepSeed = seed * 1_000_003L + steps;
        int[] k = {0};
        network.params().values().forEach((name, theta) -> {
            theta.addi(g.values().get(name).mul(gamma / fresh.size()));
            if (sigma > 0) {
                theta.addi(org.nd4j.linalg.factory.Nd4j.randn(stepSeed + 7919L * k[0]++, theta.shape())
                        .castTo(DataType.FLOAT).muli(sigma));
            }
        });
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        out.writeLong(steps);
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        steps = in.readLong();
    }
}
