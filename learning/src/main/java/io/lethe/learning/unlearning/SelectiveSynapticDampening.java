package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * SSD (Foster et al., AAAI 2024): no training. Importances I_D and I_Df are mean squared minibatch
 * gradients over (a sample of) all training data and over the forget set; every parameter with
 * I_Df > alpha * I_D is multiplied by min(lambda * I_D / I_Df, 1). Parameters outside that set are
 * left bit-identical, and no magnitude ever grows.
 */
public record SelectiveSynapticDampening(double alpha, double lambda, int batchSize, int dataBatches)
        implements UnlearningMethod {

    public SelectiveSynapticDampening {
        if (!(alpha > 0) || !(lambda > 0) || batchSize < 1 || dataBatches < 1) {
            throw new IllegalArgumentException("SSD needs alpha > 0, lambda > 0, batchSize >= 1, dataBatches >= 1");
        }
    }

    public static SelectiveSynapticDampening defaults() {
        return new SelectiveSynapticDampening(10, 1, 64, 40);
    }

    @Override
    public String name() {
        return "ssd";
    }

    @Override
    public Map<String, String> config() {
        return MethodConfig.of(name(), "alpha", alpha, "lambda", lambda, "batch_size", batchSize, "data_batches", dataBatches);
    }

    @Override
    public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        NetworkParameters network = new NetworkParameters(model);
        SplittableRandom random = new SplittableRandom(seed);
        // All training data = retained + forget, sampled in proportion.
        int forgetBatches = Math.max(1, (int) Math.ceil(forget.size() / (double) batchSize));
        NetworkParameters.Tensors forgetImportance = importance(network, forget, forgetBatches, random);
        NetworkParameters.Tensors dataImportance = forgetImportance.zerosLike();
        for (int b = 0; b < dataBatches; b++) {
            LabeledBatch batch = remain == null ? Minibatches.draw(forget, batchSize, random)
                    : remain.sample(batchSize, random);
            accumulateSquared(network, batch, dataImportance);
        }
        // The forget set is part of the training data: its importance enters I_D with its share.
        double share = remain == null ? 1.0 : forget.size() / (double) (forget.size() + remain.size());
        dataImportance.values().forEach((name, v) -> v.divi(dataBatches).muli(1 - share)
                .addi(forgetImportance.values().get(name).mul(share)));
        dampen(network.params(), dataImportance, forgetImportance);
    }

    /** theta *= min(lambda I_D / I_Df, 1) where I_Df > alpha I_D; unchanged elsewhere. */
    void dampen(NetworkParameters.Tensors params, NetworkParameters.Tensors dataImportance,
                NetworkParameters.Tensors forgetImportance) {
        params.values().forEach((name, theta) -> {
            INDArray iD = dataImportance.values().get(name);
            INDArray iDf = forgetImportance.values().get(name);
            INDArray selected = iDf.gt(iD.mul(alpha)).castTo(DataType.FLOAT);
            INDArray factor = Transforms.min(iD.mul(lambda).divi(iDf.add(1e-30)), 1.0);
            // 1 + s * (factor - 1): exactly 1 where not selected, so those parameters stay bit-identical.
            INDArray multiplier = factor.subi(1.0).muli(selected).addi(1.0);
            theta.muli(multiplier);
        });
    }

    static NetworkParameters.Tensors importance(NetworkParameters network, LabeledBatch data, int batches,
                                               SplittableRandom random) {
        NetworkParameters.Tensors sum = null;
        for (int b = 0; b < batches; b++) {
            LabeledBatch batch = Minibatches.draw(data, 64, random);
            if (sum == null) {
                sum = network.params().zerosLike();
            }
            accumulateSquared(network, batch, sum);
        }
        int count = batches;
        sum.values().values().forEach(v -> v.divi(count));
        return sum;
    }

    /** Adds the squared gradient of the batch's mean cross-entropy. */
    static void accumulateSquared(NetworkParameters network, LabeledBatch batch, NetworkParameters.Tensors into) {
        NetworkParameters.Tensors g = network.gradient(batch.inputs(), batch.labels(), null);
        g.values().forEach((name, v) -> into.values().get(name).addi(v.divi(batch.size()).muli(v)));
    }
}
