package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * General-samples replay, after "GeRe: Towards Efficient Anti-Forgetting in Continual Learning of
 * LLM via General Samples Replay" (Zhang et al., 2025): a small fixed set of samples is replayed at
 * every step, and, in the full method, their last hidden activations are held near the values they
 * had before continual learning went on, by the threshold-based margin loss. Per hidden unit, the
 * thresholds are the mean plus and minus one standard deviation of the recorded activations over the
 * set; a recorded activation below the lower one must stay below it, one above the upper must stay
 * above it, and one between must stay between (each a ReLU of the violation), averaged over the
 * violated entries. The weight of the margin term is "dy" (the paper's dynamic choice: the replayed
 * cross-entropy over the margin loss, so both weigh the same) or a fixed number; without the margin
 * the strategy is plain label replay of the same fixed set, the comparison the paper makes.
 *
 * <p>Here the general samples are the first {@code size} examples of the stream, and their
 * activations are recorded when the first task is over (what the model knew before it went on).
 */
public final class GeneralSamplesReplay implements TrainingStrategy {

    private final int size;
    private final int perStep;
    private final boolean margin;
    private final double marginWeight;
    private final long seed;
    /** The general set, size x input rows, filled from the stream's first examples. */
    private INDArray inputs;
    private int[] labels;
    private int collected;
    private INDArray recorded;
    private INDArray lower;
    private INDArray upper;
    private long steps;
    private NetworkParameters.Tensors pending;
    private double lastMarginLoss;

    /**
     * @param marginWeight the margin term's weight; NaN for the dynamic weight ("dy"); ignored without the margin
     */
    public GeneralSamplesReplay(int size, int perStep, boolean margin, double marginWeight, long seed) {
        if (size < 2 || perStep < 1 || (margin && !Double.isNaN(marginWeight) && !(marginWeight > 0))) {
            throw new IllegalArgumentException("GeRe needs a set of at least 2 samples, at least 1 per step and a margin "
                    + "weight > 0 (or dynamic)");
        }
        this.size = size;
        this.perStep = perStep;
        this.margin = margin;
        this.marginWeight = marginWeight;
        this.seed = seed;
    }

    @Override
    public String name() {
        return margin ? "gere" : "gere-labels";
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name());
        m.put("general_samples", Integer.toString(size));
        m.put("per_step", Integer.toString(perStep));
        if (margin) {
            m.put("margin_weight", Double.isNaN(marginWeight) ? "dy" : Double.toString(marginWeight));
            m.put("thresholds", "mean +- 1 std per hidden unit");
        }
        return m;
    }

    @Override
    public void beforeStep(NetworkParameters network, LabeledBatch batch, int newExamples) {
        pending = null;
        collect(batch, newExamples);
        if (recorded == null) {
            return;
        }
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + steps++);
        int n = Math.min(perStep, size);
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = random.nextInt(size);
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels[rows[i]];
        }
        NetworkParameters.Forward forward = network.forward(inputs.getRows(rows));
        INDArray delta = forward.probabilities().sub(network.oneHot(y)).divi(n);
        INDArray hiddenGradient = null;
        if (margin) {
            INDArray target = recorded.getRows(rows);
            INDArray[] lossAndGradient = marginLoss(forward.lastHidden(), target, lower, upper);
            lastMarginLoss = lossAndGradient[0].getDouble(0);
            if (lastMarginLoss > 0) {
                double weight = marginWeight;
                if (Double.isNaN(weight)) {
                    double crossEntropy = crossEntropy(forward.probabilities(), y);
                    weight = crossEntropy / lastMarginLoss;
                }
                hiddenGradient = lossAndGradient[1].muli(weight);
            }
        }
        pending = network.backward(forward, delta, hiddenGradient);
    }

    @Override
    public void afterStep(NetworkParameters network, Map<String, INDArray> before, double learningRate,
                          LabeledBatch batch, int newExamples) {
        if (pending == null) {
            return;
        }
        network.params().values().forEach((name, theta) -> theta.subi(pending.values().get(name).muli(learningRate)));
        pending = null;
    }

    /**
     * The threshold-based margin loss of activations h against recorded ones r, and its gradient
     * with respect to h: entries whose recorded value is at or below the lower threshold pay
     * relu(h - lower), at or above the upper one relu(upper - h), and between them relu(h - upper) +
     * relu(lower - h); the sum is divided by the number of entries that pay (the paper's averaging).
     */
    static INDArray[] marginLoss(INDArray h, INDArray recorded, INDArray lower, INDArray upper) {
        INDArray below = recorded.dup().subiRowVector(lower).lte(0).castTo(DataType.FLOAT);
        INDArray above = recorded.dup().subiRowVector(upper).gte(0).castTo(DataType.FLOAT);
        INDArray between = below.add(above).rsubi(1.0);
        INDArray overLower = h.dup().subiRowVector(lower);  // h - lower
        INDArray overUpper = h.dup().subiRowVector(upper);  // h - upper
        INDArray underLower = overLower.neg();              // lower - h
        INDArray underUpper = overUpper.neg();              // upper - h
        INDArray loss = relu(overLower).muli(below)
                .addi(relu(underUpper).muli(above))
                .addi(relu(overUpper).addi(relu(underLower)).muli(between));
        INDArray gradient = positive(overLower).muli(below)
                .subi(positive(underUpper).muli(above))
                .addi(positive(overUpper).subi(positive(underLower)).muli(between));
        double paying = loss.gt(0).castTo(DataType.FLOAT).sumNumber().doubleValue();
        if (paying == 0) {
            return new INDArray[] {Nd4j.scalar(0.0), Nd4j.zerosLike(h)};
        }
        return new INDArray[] {Nd4j.scalar(loss.sumNumber().doubleValue() / paying), gradient.divi(paying)};
    }

    private static INDArray relu(INDArray x) {
        return org.nd4j.linalg.ops.transforms.Transforms.relu(x, true);
    }

    private static INDArray positive(INDArray x) {
        return x.gt(0).castTo(DataType.FLOAT);
    }

    private static double crossEntropy(INDArray probabilities, int[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum -= Math.log(Math.max(probabilities.getDouble(i, y[i]), 1e-12));
        }
        return sum / y.length;
    }

    private void collect(LabeledBatch batch, int newExamples) {
        if (collected >= size || recorded != null) {
            return;
        }
        if (inputs == null) {
            inputs = Nd4j.create(DataType.FLOAT, size, batch.inputs().columns());
            labels = new int[size];
        }
        int take = Math.min(newExamples, size - collected);
        if (take > 0) {
            inputs.get(NDArrayIndex.interval(collected, collected + take), NDArrayIndex.all())
                    .assign(batch.inputs().get(NDArrayIndex.interval(0, take), NDArrayIndex.all()));
            System.arraycopy(batch.labels(), 0, labels, collected, take);
            collected += take;
        }
    }

    @Override
    public void taskEnded(NetworkParameters network, int finished) {
        if (recorded != null || collected < size) {
            return;
        }
        recorded = network.forward(inputs).lastHidden().dup();
        INDArray mean = recorded.mean(0);
        INDArray std = recorded.std(false, 0);
        lower = mean.sub(std);
        upper = mean.add(std);
    }

    /** The margin loss of the whole general set at the network's current weights (0 before recording). */
    double marginLossNow(NetworkParameters network) {
        if (recorded == null) {
            return 0;
        }
        return marginLoss(network.forward(inputs).lastHidden(), recorded, lower, upper)[0].getDouble(0);
    }

    boolean recordedActivations() {
        return recorded != null;
    }

    double lastMarginLoss() {
        return lastMarginLoss;
    }

    @Override
    public long memoryBytes() {
        long set = inputs == null ? 0 : inputs.length() * 4 + size * 4L;
        return set + (recorded == null ? 0 : (recorded.length() + lower.length() + upper.length()) * 4);
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        out.writeInt(collected);
        if (collected > 0) {
            Nd4j.write(inputs, out);
            for (int label : labels) {
                out.writeInt(label);
            }
        }
        out.writeBoolean(recorded != null);
        if (recorded != null) {
            Nd4j.write(recorded, out);
            Nd4j.write(lower, out);
            Nd4j.write(upper, out);
        }
        out.writeLong(steps);
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        collected = in.readInt();
        inputs = null;
        labels = null;
        if (collected > 0) {
            inputs = Nd4j.read(in);
            labels = new int[size];
            for (int i = 0; i < size; i++) {
                labels[i] = in.readInt();
            }
        }
        recorded = null;
        lower = null;
        upper = null;
        if (in.readBoolean()) {
            recorded = Nd4j.read(in);
            lower = Nd4j.read(in);
            upper = Nd4j.read(in);
        }
        steps = in.readLong();
    }
}
