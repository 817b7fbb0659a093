package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Half fine-tuning ("HFT: Half Fine-Tuning for Large Language Models", Hui et al.): for each task a
 * seeded half of every parameter tensor (per layer) learns and the other half stays frozen, so half
 * of what earlier tasks wrote is never overwritten by the next one. The frozen half is put back
 * after each step (the same as a zero gradient there under plain SGD). Which half is drawn anew per
 * task from the seed and the task number, so a restart draws the same.
 */
public final class HalfFineTuning implements TrainingStrategy {

    private final long seed;
    private int task;
    private Map<String, INDArray> frozen;

    public HalfFineTuning(long seed) {
        this.seed = seed;
    }

    @Override
    public String name() {
        return "hft";
    }

    @Override
    public Map<String, String> config() {
        return Map.of("name", name(), "frozen_share", "0.5", "seed", Long.toString(seed));
    }

    @Override
    public boolean needsParametersBeforeStep() {
        return true;
    }

    @Override
    public void afterStep(NetworkParameters network, Map<String, INDArray> before, double learningRate,
                          LabeledBatch batch, int newExamples) {
        Map<String, INDArray> masks = frozen(network);
        // theta (1 - m) + before m: exactly the old value where m = 1, the new one where m = 0. (ND4J's
        // putWhereWithMask mixes up elements when the operands' orderings differ, as DL4J's views do.)
        network.params().values().forEach((name, theta) -> {
            INDArray mask = masks.get(name);
            theta.muli(mask.rsub(1.0)).addi(before.get(name).mul(mask));
        });
    }

    @Override
    public void taskEnded(NetworkParameters network, int finished) {
        task = finished + 1;
        frozen = null;
    }

    /** 1 where the entry is frozen during the current task (else 0): exactly half of each tensor, rounded down. */
    Map<String, INDArray> frozen(NetworkParameters network) {
        if (frozen == null) {
            frozen = new LinkedHashMap<>();
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + task);
            network.params().values().forEach((name, v) -> {
                int n = (int) v.length();
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                for (int i = n - 1; i > 0; i--) { // Fisher-Yates: the first half of a random order is frozen
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                float[] mask = new float[n];
                for (int i = 0; i < n / 2; i++) {
                    mask[order[i]] = 1f;
                }
                frozen.put(name, Nd4j.create(mask, v.shape(), 'c'));
            });
        }
        return frozen;
    }

    @Override
    public long memoryBytes() {
        return TensorMaps.bytes(frozen);
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        out.writeInt(task); // the masks are drawn again from the seed and the task
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        task = in.readInt();
        frozen = null;
    }
}
