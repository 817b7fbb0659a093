package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.unlearning.NetworkParameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Prediction distillation, the baseline of "A Closer Look at Rehearsal-Free Continual Learning"
 * (Smith et al., after LwF): the network at the end of the last task is kept as a teacher, and every
 * step adds {@code lambda} T^2 KL(softmax(z_old / T) || softmax(z / T)) on the step's inputs, so the
 * network keeps predicting what it predicted before while it learns the new labels. The term's
 * gradient with respect to the logits is lambda T (softmax(z / T) - softmax(z_old / T)); it is taken
 * at theta_t (before the step) and applied with the step, which with plain SGD is one step on the sum.
 */
public final class PredictionDistillation implements TrainingStrategy {

    private final double lambda;
    private final double temperature;
    private Map<String, INDArray> teacher;
    private NetworkParameters.Tensors pending;
    private long pendingRows;

    public PredictionDistillation(double lambda, double temperature) {
        if (!(lambda > 0) || !(temperature > 0) || Double.isInfinite(lambda) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("distillation needs a finite lambda > 0 and temperature > 0");
        }
        this.lambda = lambda;
        this.temperature = temperature;
    }

    @Override
    public String name() {
        return "distill";
    }

    @Override
    public Map<String, String> config() {
        return Map.of("name", name(), "lambda", Double.toString(lambda), "temperature", Double.toString(temperature));
    }

    @Override
    public void beforeStep(NetworkParameters network, LabeledBatch batch, int newExamples) {
        pending = null;
        if (teacher == null) {
            return;
        }
        NetworkParameters.Forward student = network.forward(batch.inputs());
        NetworkParameters.Forward old = NetworkParameters.forward(teacher, network.layers(), batch.inputs());
        INDArray delta = softened(student.logits()).subi(softened(old.logits())).muli(lambda * temperature);
        pending = network.backward(student, delta, null);
        pendingRows = batch.size();
    }

    /** softmax(z / T): the tempered prediction both sides of the KL are taken at. */
    private INDArray softened(INDArray logits) {
        return Transforms.softmax(logits.div(temperature), true);
    }

    @Override
    public void afterStep(NetworkParameters network, Map<String, INDArray> before, double learningRate,
                          LabeledBatch batch, int newExamples) {
        if (pending == null) {
            return;
        }
        double factor = learningRate / pendingRows;
        network.params().values().forEach((name, theta) -> theta.subi(pending.values().get(name).muli(factor)));
        pending = null;
    }

    @Override
    public void taskEnded(NetworkParameters network, int finished) {
        teacher = TensorMaps.copy(network.params().values());
    }

    boolean hasTeacher() {
        return teacher != null;
    }

    @Override
    public long memoryBytes() {
        return TensorMaps.bytes(teacher);
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        TensorMaps.write(teacher, out);
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        teacher = TensorMaps.read(in);
    }
}
