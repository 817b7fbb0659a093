package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.learning.unlearning.NetworkParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A small MLP and "tasks" of Gaussian blobs, shared by the strategies' tests. */
final class StrategyFixtures {

    static final double LR = 0.1;

    private StrategyFixtures() {
    }

    /** Class c (of four) centred at +3 on coordinate c; task t holds classes 2t and 2t + 1. */
    static LabeledBatch task(int task, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * 8];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = 2 * task + i % 2;
            for (int j = 0; j < 8; j++) {
                x[i * 8 + j] = (float) (random.nextGaussian() + (j == y[i] ? 3 : 0));
            }
        }
        return new LabeledBatch(Nd4j.create(x, new long[] {n, 8}, DataType.FLOAT), y);
    }

    /** The batch as replay items of the given task. */
    static List<ReplayItem<float[]>> items(LabeledBatch data, int task, String prefix) {
        List<ReplayItem<float[]>> items = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            items.add(ReplayTrainer.item(prefix + i, "s", task, data.labels()[i], data.inputs().getRow(i).toFloatVector()));
        }
        return items;
    }

    /** A strategy that does nothing: the same learner path as any other, with plain SGD steps. */
    static TrainingStrategy none() {
        return new TrainingStrategy() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public Map<String, String> config() {
                return Map.of();
            }

            @Override
            public void writeState(java.io.DataOutputStream out) {
            }

            @Override
            public void readState(java.io.DataInputStream in) {
            }
        };
    }

    static StrategyLearner learner(TrainingStrategy strategy) {
        return new StrategyLearner(new NetworkLearner(8, 16, 4, LR, 1, 7), strategy, LR);
    }

    static Map<String, INDArray> params(StrategyLearner learner) {
        return TensorMaps.copy(new NetworkParameters(learner.network()).params().values());
    }

    static float[] flat(StrategyLearner learner) {
        return learner.network().network().params().dup().data().asFloat();
    }

    static double distance(Map<String, INDArray> a, Map<String, INDArray> b) {
        double sum = 0;
        for (String name : a.keySet()) {
            sum += Math.pow(a.get(name).sub(b.get(name)).norm2Number().doubleValue(), 2);
        }
        return Math.sqrt(sum);
    }
}
