package io.lethe.learning.gradient;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One SGD step of the MLP that {@link NetworkLearner} builds (dense ReLU, dense ReLU, softmax with
 * multi-class cross-entropy, gradients averaged over the minibatch, plain SGD, no regularisation),
 * written as about twenty ND4J ops on the network's own parameters: the same arithmetic as DL4J's
 * {@code fit}, up to rounding ({@code MlpSgdStepTest} compares them in float64).
 *
 * <p>Why not {@code fit}: on a 64-row step (32 stream examples and 32 replayed) DL4J spent about
 * 4.5 ms, while the five GEMMs a step needs take 1.7 ms on their own; the rest was per-op
 * bookkeeping, allocations and the input gradient of the first layer, which nothing needs. Here every product writes into an array kept
 * from the previous step of the same size, and the weight updates are folded into the gradient
 * GEMMs ({@code W += -lr/n * a^T d}): about 2 ms. The network stays a DL4J network, so the unlearning
 * methods, checkpoints and predictions are unchanged.
 *
 * <p>Order matters: each layer's backward product uses its weights before they are updated.
 */
final class MlpSgdStep {

    /** Activations and back-propagated errors for one batch size, reused while the size repeats. */
    private record Buffers(INDArray hidden1, INDArray hidden2, INDArray output, INDArray error2, INDArray error1,
                           INDArray ones) {
    }

    /** Batch sizes seen lately (the stream's step is usually one size, a first or last step another). */
    private final Map<Long, Buffers> bySize = new HashMap<>();

    /** Trains {@code network} one step on inputs {@code x} with one-hot targets {@code y}. */
    void step(MultiLayerNetwork network, INDArray x, INDArray y, double learningRate) {
        if (x.rows() == 0) {
            return; // nothing to learn from (a GEMM with no rows would fail)
        }
        INDArray w1 = network.getLayer(0).getParam("W");
        INDArray b1 = row(network.getLayer(0).getParam("b"));
        INDArray w2 = network.getLayer(1).getParam("W");
        INDArray b2 = row(network.getLayer(1).getParam("b"));
        INDArray w3 = network.getLayer(2).getParam("W");
        INDArray b3 = row(network.getLayer(2).getParam("b"));
        DataType type = w1.dataType();
        INDArray in = x.castTo(type);
        INDArray target = y.castTo(type);
        long n = in.rows();
        Buffers b = buffers(n, w1.columns(), w3.columns(), type);

        Nd4j.gemm(in, w1, b.hidden1(), false, false, 1.0, 0.0);
        Transforms.relu(b.hidden1().addiRowVector(b1), false);
        Nd4j.gemm(b.hidden1(), w2, b.hidden2(), false, false, 1.0, 0.0);
        Transforms.relu(b.hidden2().addiRowVector(b2), false);
        Nd4j.gemm(b.hidden2(), w3, b.output(), false, false, 1.0, 0.0);
        b.output().addiRowVector(b3);
        Nd4j.exec(new SoftMax(b.output(), b.output(), -1));
        INDArray delta3 = b.output().subi(target); // d loss / d logits, per example

        double scale = -learningRate / n;
        Nd4j.gemm(delta3, w3, b.error2(), false, true, 1.0, 0.0);
        Nd4j.gemm(b.hidden2(), delta3, w3, true, false, scale, 1.0);
        Nd4j.gemm(b.ones(), delta3, b3, false, false, scale, 1.0);
        INDArray delta2 = b.error2().muli(reluPasses(b.hidden2())); // hidden2 is not needed after W3's update
        Nd4j.gemm(delta2, w2, b.error1(), false, true, 1.0, 0.0);
        Nd4j.gemm(b.hidden1(), delta2, w2, true, false, scale, 1.0);
        Nd4j.gemm(b.ones(), delta2, b2, false, false, scale, 1.0);
        INDArray delta1 = b.error1().muli(reluPasses(b.hidden1()));
        Nd4j.gemm(in, delta1, w1, true, false, scale, 1.0);
        Nd4j.gemm(b.ones(), delta1, b1, false, false, scale, 1.0);
    }

    /**
     * Turns a layer's ReLU outputs, in place, into its derivative: 1 where the output is positive, else
     * 0. (DL4J's fused ReLU-backward op is about ten times slower here: it calls a function per element.)
     */
    private static INDArray reluPasses(INDArray activations) {
        Nd4j.exec(new Step(activations, activations, 0.0));
        return activations;
    }

    private Buffers buffers(long n, long hidden, long classes, DataType type) {
        Buffers b = bySize.get(n);
        if (b == null || b.hidden1().dataType() != type || b.hidden1().columns() != hidden
                || b.output().columns() != classes) {
            if (bySize.size() >= 4) {
                bySize.clear(); // sizes keep changing: keep only what is in use
            }
            b = new Buffers(Nd4j.create(type, n, hidden), Nd4j.create(type, n, hidden), Nd4j.create(type, n, classes),
                    Nd4j.create(type, n, hidden), Nd4j.create(type, n, hidden), Nd4j.ones(type, 1, n));
            bySize.put(n, b);
        }
        return b;
    }

    /** A bias as a 1 x width view of the parameters (a GEMM's output must be a matrix). */
    private static INDArray row(INDArray bias) {
        INDArray view = bias.rank() == 2 ? bias : bias.reshape(1, bias.length());
        if (view.data() != bias.data() && view.data().address() != bias.data().address()) {
            throw new IllegalStateException("the bias reshape copied the parameters; the step would not update them");
        }
        return view;
    }
}
