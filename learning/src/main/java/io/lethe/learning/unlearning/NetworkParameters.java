package io.lethe.learning.unlearning;

import io.lethe.learning.gradient.NetworkLearner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The MLP's parameters (live views into the DL4J network, so writing them changes the model) and
 * its cross-entropy gradients with per-example weights, computed here by an explicit backward pass
 * in ND4J ops (DL4J's label mask does not weight examples exactly; this is checked against DL4J's
 * own gradient in the tests).
 */
public final class NetworkParameters {

    /** Parameter name (as in DL4J's param table, e.g. 0_W) -> array of that parameter's shape. */
    public record Tensors(Map<String, INDArray> values) {

        public Tensors zerosLike() {
            Map<String, INDArray> out = new LinkedHashMap<>();
            values.forEach((k, v) -> out.put(k, Nd4j.zerosLike(v)));
            return new Tensors(out);
        }

        public double norm() {
            double sum = 0;
            for (INDArray v : values.values()) {
                double n = v.norm2Number().doubleValue();
                sum += n * n;
            }
            return Math.sqrt(sum);
        }

        public void scale(double factor) {
            values.values().forEach(v -> v.muli(factor));
        }
    }

    private final NetworkLearner learner;
    private final MultiLayerNetwork network;
    private final List<String> names;

    public NetworkParameters(NetworkLearner learner) {
        if (learner.architecture() != NetworkLearner.Architecture.MLP) {
            throw new IllegalArgumentException("the explicit-gradient unlearning methods support the MLP only, not "
                    + learner.architecture() + " (its own unlearn() is gradient ascent through DL4J)");
        }
        this.learner = learner;
        this.network = learner.network();
        this.names = new ArrayList<>(network.paramTable().keySet());
    }

    /** The live parameters. */
    public Tensors params() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        Map<String, INDArray> table = network.paramTable();
        names.forEach(n -> out.put(n, table.get(n)));
        return new Tensors(out);
    }

    /**
     * One forward pass: {@code activations[0]} is the input, {@code activations[l + 1]} layer l's
     * output (ReLU, softmax at the last), {@code logits} the last layer's pre-activation.
     */
    public record Forward(INDArray[] activations, INDArray logits) {

        public INDArray probabilities() {
            return activations[activations.length - 1];
        }

        /** The last hidden layer's activations: what the output layer reads. */
        public INDArray lastHidden() {
            return activations[activations.length - 2];
        }
    }

    /** The forward pass at the live parameters. */
    public Forward forward(INDArray inputs) {
        return forward(network.paramTable(), network.getnLayers(), inputs);
    }

    /** The forward pass of the MLP at the given parameters (e.g. a strategy's copy of older ones). */
    public static Forward forward(Map<String, INDArray> table, int layers, INDArray inputs) {
        INDArray[] activations = new INDArray[layers + 1];
        activations[0] = inputs.castTo(DataType.FLOAT);
        long n = inputs.rows();
        INDArray logits = null;
        for (int l = 0; l < layers; l++) {
            INDArray w = table.get(l + "_W");
            INDArray z = Nd4j.createUninitialized(DataType.FLOAT, n, w.columns());
            Nd4j.gemm(activations[l], w, z, false, false, 1.0, 0.0);
            z.addiRowVector(table.get(l + "_b"));
            if (l == layers - 1) {
                logits = z; // softmax with dup = true leaves z as it is
                activations[l + 1] = Transforms.softmax(z, true);
            } else {
                activations[l + 1] = Transforms.relu(z, true);
            }
        }
        return new Forward(activations, logits);
    }

    /** The labels as one-hot rows over the network's classes. */
    public INDArray oneHot(int[] labels) {
        return learner.oneHot(labels);
    }

    public int layers() {
        return network.getnLayers();
    }

    /**
     * Gradient of sum_i w_i * CE(x_i, y_i) with respect to every parameter; {@code weights} null means
     * all ones. Divide by the batch size for the gradient of the mean.
     */
    public Tensors gradient(INDArray inputs, int[] labels, double[] weights) {
        Forward forward = forward(inputs);
        INDArray delta = forward.probabilities().sub(oneHot(labels));
        if (weights != null) {
            delta.muliColumnVector(Nd4j.createFromArray(weights).castTo(DataType.FLOAT).reshape(weights.length, 1));
        }
        return backward(forward, delta, null);
    }

    /**
     * Backpropagates a loss whose gradient with respect to the logits is {@code logitDelta} (for the
     * cross-entropy of soft targets q: p - q), plus, when not null, {@code lastHiddenGradient}: the
     * loss's gradient with respect to the last hidden layer's activations (a loss on the
     * representation itself). Sums over the rows.
     */
    public Tensors backward(Forward forward, INDArray logitDelta, INDArray lastHiddenGradient) {
        int layers = network.getnLayers();
        INDArray[] activations = forward.activations();
        Map<String, INDArray> table = network.paramTable();
        long n = activations[0].rows();
        INDArray delta = logitDelta;
        Map<String, INDArray> grads = new LinkedHashMap<>();
        for (int l = layers - 1; l >= 0; l--) {
            INDArray w = table.get(l + "_W");
            INDArray gw = Nd4j.createUninitialized(DataType.FLOAT, w.rows(), w.columns());
            Nd4j.gemm(activations[l], delta, gw, true, false, 1.0, 0.0);
            grads.put(l + "_W", gw);
            grads.put(l + "_b", delta.sum(true, 0).reshape(table.get(l + "_b").shape()));
            if (l > 0) {
                INDArray upstream = Nd4j.createUninitialized(DataType.FLOAT, n, w.rows());
                Nd4j.gemm(delta, w, upstream, false, true, 1.0, 0.0);
                if (l == layers - 1 && lastHiddenGradient != null) {
                    upstream.addi(lastHiddenGradient);
                }
                // ReLU derivative: the activation is positive exactly where the pre-activation is.
                delta = upstream.muli(activations[l].gt(0).castTo(DataType.FLOAT));
            }
        }
        Map<String, INDArray> ordered = new LinkedHashMap<>();
        names.forEach(name -> ordered.put(name, grads.get(name)));
        return new Tensors(ordered);
    }

    /** Per-example cross-entropy, -log p(y_i | x_i). */
    public double[] losses(INDArray inputs, int[] labels) {
        INDArray probabilities = learner.network().output(inputs.castTo(DataType.FLOAT), false);
        float[] flat = probabilities.dup('c').data().asFloat();
        int classes = learner.maxClasses();
        double[] out = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = -Math.log(Math.max(flat[i * classes + labels[i]], 1e-12f));
        }
        return out;
    }
}
