package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GS-LoRA, "Continual Forgetting for Pre-trained Vision Models" (Zhao et al., CVPR 2024; T-PAMI 2026
 * as "Practical Continual Forgetting"). Each forgetting request trains a low-rank adapter per dense
 * layer, W = W0 + A B (A: in x r, B: r x out, B starting at zero), on
 * CE(remain) + beta ReLU(BND - CE(forget)) + alpha sum over layers of sqrt(|A|^2 + |B|^2): the
 * bounded forgetting loss stops pushing once the forget loss passes BND, and the group lasso over
 * each layer's adapter (one group per layer, as the authors group each block's FFN adapters) leaves
 * whole layers unchanged. W0 is never trained: the adapters are, with Adam, and the group lasso
 * is applied as its proximal step (group soft-thresholding), so a group the penalty removes is
 * exactly zero and its layer stays bit-identical. Biases are not adapted. The adapter is merged into
 * the live weights at the end, since the stream's network keeps learning afterwards; a request
 * therefore changes each layer by a matrix of rank at most r, or not at all.
 *
 * @param rank r
 * @param steps Adam steps (each one forget and one remain minibatch)
 * @param bound BND, the forget loss beyond which forgetting stops pushing
 */
public record GroupSparseLora(int rank, int steps, int batchSize, double learningRate, double beta, double bound,
                              double alpha) implements UnlearningMethod {

    public static final String NAME = "gs-lora";

    public GroupSparseLora {
        if (rank < 1 || steps < 1 || batchSize < 1 || !(learningRate > 0) || !(beta >= 0) || !(bound > 0)
                || !(alpha >= 0)) {
            throw new IllegalArgumentException("invalid GS-LoRA settings: rank " + rank + ", steps " + steps + ", batch "
                    + batchSize + ", lr " + learningRate + ", beta " + beta + ", bound " + bound + ", alpha " + alpha);
        }
    }

    /** Rank 8, 200 steps of 64 + 64, lr 1e-3; beta 0.2 and BND 10 (their CE bound); alpha 1e-3. */
    public static GroupSparseLora defaults() {
        return new GroupSparseLora(8, 200, 64, 1e-3, 0.2, 10, 1e-3);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> config() {
        return MethodConfig.of(name(), "rank", rank, "steps", steps, "batch_size", batchSize, "learning_rate", learningRate,
                "beta", beta, "bound", bound, "alpha", alpha);
    }

    /** One dense layer's adapter: W = base + A B. */
    static final class Adapter {
        final String weight;
        final INDArray base;
        final INDArray a;
        final INDArray b;

        Adapter(String weight, INDArray base, int rank, SplittableRandom random) {
            this.weight = weight;
            this.base = base;
            long in = base.rows();
            float[] init = new float[(int) (in * rank)];
            double scale = 1 / Math.sqrt(in);
            for (int i = 0; i < init.length; i++) {
                init[i] = (float) (random.nextGaussian() * scale);
            }
            this.a = Nd4j.create(init, new long[] {in, rank}, DataType.FLOAT);
            this.b = Nd4j.zeros(DataType.FLOAT, rank, base.columns());
        }

        /** The layer's weights before the request, never trained. */
        INDArray base() {
            return base;
        }

        /** A B, the change the request makes to the layer. */
        INDArray delta() {
            return a.mmul(b);
        }

        String weight() {
            return weight;
        }

        double norm() {
            double na = a.norm2Number().doubleValue();
            double nb = b.norm2Number().doubleValue();
            return Math.sqrt(na * na + nb * nb);
        }

        /** W = W0 + A B into the live weights; exactly W0 while the adapter is zero. */
        void apply(INDArray live) {
            if (b.norm2Number().doubleValue() == 0 || a.norm2Number().doubleValue() == 0) {
                live.assign(base);
            } else {
                live.assign(base.add(a.mmul(b)));
            }
        }
    }

    @Override
    public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        train(model, forget, remain, seed);
    }

    /** Trains the adapters, merged into the live weights at every step; returns them with their bases. */
    List<Adapter> train(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        if (remain == null) {
            throw new IllegalArgumentException("GS-LoRA needs retained data for its remain loss");
        }
        NetworkParameters network = new NetworkParameters(model);
        SplittableRandom random = new SplittableRandom(seed);
        List<Adapter> adapters = new ArrayList<>();
        network.params().values().forEach((name, value) -> {
            if (name.endsWith("_W")) {
                adapters.add(new Adapter(name, value.dup(), rank, random));
            }
        });
        Adam adam = new Adam(learningRate);
        for (int t = 1; t <= steps; t++) {
            LabeledBatch forgetBatch = Minibatches.draw(forget, batchSize, random);
            LabeledBatch remainBatch = remain.sample(batchSize, random);
            NetworkParameters.Tensors g = network.gradient(remainBatch.inputs(), remainBatch.labels(), null);
            g.scale(1.0 / remainBatch.size());
            double forgetLoss = java.util.Arrays.stream(network.losses(forgetBatch.inputs(), forgetBatch.labels()))
                    .average().orElse(0);
            if (forgetLoss < bound && beta > 0) { // ReLU(BND - CE): its gradient is -grad CE below the bound
                NetworkParameters.Tensors f = network.gradient(forgetBatch.inputs(), forgetBatch.labels(), null);
                g.values().forEach((name, v) -> v.subi(f.values().get(name).mul(beta / forgetBatch.size())));
            }
            Map<String, INDArray> live = network.params().values();
            for (Adapter adapter : adapters) {
                INDArray gw = g.values().get(adapter.weight);
                INDArray ga = gw.mmul(adapter.b.transpose());
                INDArray gb = adapter.a.transpose().mmul(gw);
                adam.step(adapter.weight + ".A", adapter.a, ga);
                adam.step(adapter.weight + ".B", adapter.b, gb);
                double norm = adapter.norm();
                double shrink = norm == 0 ? 0 : Math.max(0, 1 - learningRate * alpha / norm);
                if (shrink < 1) {
                    adapter.a.muli(shrink);
                    adapter.b.muli(shrink);
                }
                adapter.apply(live.get(adapter.weight));
            }
        }
        return adapters;
    }
}
