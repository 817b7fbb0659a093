package io.lethe.learning.unlearning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.gradient.NetworkLearner;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NetworkParametersTest {

    static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() / Math.max(1e-30, b.norm2Number().doubleValue());
    }

    @Test
    void theExplicitGradientEqualsDl4jsAndWeightsScaleExamples() {
        NetworkLearner model = new NetworkLearner(12, 7, 5, 0.1, 1, 3);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 9, 12);
        int[] y = {0, 1, 2, 3, 4, 0, 1, 2, 3};
        model.learn(new io.lethe.learning.LabeledBatch(x, y)); // move away from the initialisation
        MultiLayerNetwork net = model.network();
        net.setInput(x);
        net.setLabels(model.oneHot(y));
        net.computeGradientAndScore();
        Map<String, INDArray> dl4j = net.gradient().gradientForVariable();
        NetworkParameters params = new NetworkParameters(model);
        NetworkParameters.Tensors ours = params.gradient(x, y, null);
        assertEquals(dl4j.keySet(), ours.values().keySet());
        for (String name : dl4j.keySet()) {
            assertTrue(relativeDifference(ours.values().get(name), dl4j.get(name).reshape(ours.values().get(name).shape())) < 1e-4,
                    name + " differs from DL4J's gradient");
        }
        // Weight w_i multiplies example i's contribution: compare with single-example gradients.
        double[] w = {0.5, 2, 1, 0, 3, 1, 1, 0.25, 1};
        NetworkParameters.Tensors weighted = params.gradient(x, y, w);
        NetworkParameters.Tensors sum = params.params().zerosLike();
        for (int i = 0; i < 9; i++) {
            NetworkParameters.Tensors single = params.gradient(x.getRow(i, true).dup(), new int[] {y[i]}, null);
            int k = i;
            single.values().forEach((name, g) -> sum.values().get(name).addi(g.mul(w[k])));
        }
        for (String name : sum.values().keySet()) {
            assertTrue(relativeDifference(weighted.values().get(name), sum.values().get(name)) < 1e-5, name);
        }
    }
}
