package io.lethe.learning.unlearning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** GS-LoRA's defining properties: the base weights are never trained, each layer moves by rank <= r or not at all. */
class GroupSparseLoraTest {

    private static LabeledBatch ofClass(LabeledBatch data, int c, boolean keep) {
        int[] labels = data.labels();
        int[] rows = java.util.stream.IntStream.range(0, labels.length).filter(i -> (labels[i] == c) == keep).toArray();
        return new LabeledBatch(data.inputs().getRows(rows), java.util.Arrays.stream(rows).map(i -> labels[i]).toArray());
    }

    private static NetworkLearner trained(LabeledBatch data) {
        NetworkLearner model = new NetworkLearner(8, 16, 4, 0.1, 1, 7);
        for (int epoch = 0; epoch < 30; epoch++) {
            model.learn(data);
        }
        return model;
    }

    private static Map<String, float[]> snapshot(NetworkLearner model) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        new NetworkParameters(model).params().values().forEach((name, v) -> out.put(name, v.dup('c').data().asFloat()));
        return out;
    }

    /** Numerical rank: Gram-Schmidt over the columns, a column counting when its residual exceeds tol. */
    private static int rank(INDArray m, double tolerance) {
        double[][] columns = new double[(int) m.columns()][];
        int rank = 0;
        for (int c = 0; c < m.columns(); c++) {
            double[] v = m.getColumn(c).dup().data().asDouble();
            for (int k = 0; k < rank; k++) {
                double dot = 0;
                for (int i = 0; i < v.length; i++) {
                    dot += v[i] * columns[k][i];
                }
                for (int i = 0; i < v.length; i++) {
                    v[i] -= dot * columns[k][i];
                }
            }
            double norm = Math.sqrt(java.util.Arrays.stream(v).map(x -> x * x).sum());
            if (norm > tolerance) {
                for (int i = 0; i < v.length; i++) {
                    v[i] /= norm;
                }
                columns[rank++] = v;
            }
        }
        return rank;
    }

    @Test
    void theBaseIsNeverTrainedAndEachLayerMovesByRankAtMostR() {
        LabeledBatch data = GaussianBlobs.of(400, 8, 3);
        NetworkLearner model = trained(data);
        Map<String, float[]> before = snapshot(model);
        LabeledBatch forget = ofClass(data, 2, true);
        LabeledBatch retained = ofClass(data, 2, false);
        NetworkParameters params = new NetworkParameters(model);
        double forgetLossBefore = java.util.Arrays.stream(params.losses(forget.inputs(), forget.labels())).average().orElseThrow();

        GroupSparseLora method = new GroupSparseLora(2, 150, 32, 1e-2, 1.0, 5, 1e-4);
        List<GroupSparseLora.Adapter> adapters = method.train(model, forget, Minibatches.of(retained), 3);

        assertEquals(3, adapters.size(), "one adapter per dense layer");
        Map<String, INDArray> live = params.params().values();
        for (GroupSparseLora.Adapter adapter : adapters) {
            assertArrayEquals(before.get(adapter.weight()), adapter.base().dup('c').data().asFloat(),
                    adapter.weight() + ": the base is the weights before the request, bit for bit");
            INDArray delta = live.get(adapter.weight()).sub(adapter.base());
            assertTrue(rank(delta, 1e-4) <= 2, adapter.weight() + " moved by rank " + rank(delta, 1e-4));
            assertTrue(delta.sub(adapter.delta()).norm2Number().doubleValue() <= 1e-5, "the live weights are base + A B");
        }
        for (String bias : List.of("0_b", "1_b", "2_b")) {
            assertArrayEquals(before.get(bias), snapshot(model).get(bias), bias + " is not adapted");
        }
        double forgetLossAfter = java.util.Arrays.stream(params.losses(forget.inputs(), forget.labels())).average().orElseThrow();
        assertTrue(forgetLossAfter > forgetLossBefore + 1, "it forgets: forget loss " + forgetLossBefore + " -> " + forgetLossAfter);
    }

    @Test
    void aGroupTheLassoRemovesLeavesItsLayerBitIdentical() {
        LabeledBatch data = GaussianBlobs.of(400, 9, 3);
        NetworkLearner model = trained(data);
        Map<String, float[]> before = snapshot(model);
        LabeledBatch forget = ofClass(data, 1, true);
        // alpha so large that the first proximal step zeroes every group: nothing may change at all.
        new GroupSparseLora(2, 20, 32, 1e-2, 1.0, 5, 1e6).unlearn(model, forget, Minibatches.of(ofClass(data, 1, false)), 4);
        Map<String, float[]> after = snapshot(model);
        before.forEach((name, values) -> assertArrayEquals(values, after.get(name), name));
    }
}
