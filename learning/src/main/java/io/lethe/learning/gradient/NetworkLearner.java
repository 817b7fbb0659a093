package io.lethe.learning.gradient;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.NumericsCheck;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A DL4J network trained online by SGD: by default a multilayer perceptron (input - hidden - hidden -
 * maxClasses, ReLU, softmax); optionally a small CNN for square images (conv 5x5x16, max-pool 2,
 * conv 5x5x32, max-pool 2, dense hidden, softmax). The output layer has a fixed width of {@code maxClasses}, so classes that appear later in a
 * class-incremental stream need no change of architecture (a class never seen simply has
 * untrained logits).
 *
 * <p>{@link #unlearn(LabeledBatch)} is plain gradient ascent on the batch (the simplest baseline of the
 * unlearning literature); {@link #unlearn(LabeledBatch, io.lethe.learning.unlearning.UnlearningMethod,
 * io.lethe.learning.unlearning.UnlearningMethod.RemainSampler, long)} runs any method. Both are
 * approximate, with no guarantee of reaching the never-learned model.
 */
public final class NetworkLearner implements Learner, io.lethe.learning.replay.Rehearsable {

    /** The network's shape. */
    public enum Architecture {
        MLP, CNN;

        public static Architecture named(String name) {
            return switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "mlp" -> MLP;
                case "cnn" -> CNN;
                default -> throw new IllegalArgumentException("unknown network '" + name + "' (expected mlp or cnn)");
            };
        }
    }

    private static final int STATE_MAGIC = 0x4c454d31; // "LEM1"

    private final Architecture architecture;
    private final int inputDim;
    private final int hidden;
    private final int maxClasses;
    private final double learningRate;
    private final int stepsPerBatch;
    private final long seed;
    private MultiLayerNetwork network;
    private long retained;
    /** The MLP's training step (DL4J's {@code fit} for the CNN): see {@link MlpSgdStep} for why. */
    private final MlpSgdStep mlpStep = new MlpSgdStep();

    public NetworkLearner(int inputDim, int hidden, int maxClasses, double learningRate, int stepsPerBatch, long seed) {
        this(Architecture.MLP, inputDim, hidden, maxClasses, learningRate, stepsPerBatch, seed);
    }

    public NetworkLearner(Architecture architecture, int inputDim, int hidden, int maxClasses, double learningRate,
                          int stepsPerBatch, long seed) {
        this.architecture = architecture;
        if (architecture == Architecture.CNN && Math.round(Math.sqrt(inputDim)) * Math.round(Math.sqrt(inputDim)) != inputDim) {
            throw new IllegalArgumentException("the CNN needs square images; input length " + inputDim + " is not a square");
        }
        if (inputDim < 1 || hidden < 1 || maxClasses < 2) {
            throw new IllegalArgumentException("need inputDim >= 1, hidden >= 1, maxClasses >= 2; got "
                    + inputDim + ", " + hidden + ", " + maxClasses);
        }
        if (!(learningRate > 0) || stepsPerBatch < 1) {
            throw new IllegalArgumentException("need learningRate > 0 and stepsPerBatch >= 1");
        }
        this.inputDim = inputDim;
        this.hidden = hidden;
        this.maxClasses = maxClasses;
        this.learningRate = learningRate;
        this.stepsPerBatch = stepsPerBatch;
        this.seed = seed;
        NumericsCheck.verify();
        this.network = build(learningRate);
    }

    private MultiLayerNetwork build(double rate) {
        if (architecture == Architecture.CNN) {
            int side = (int) Math.round(Math.sqrt(inputDim));
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                    .seed(seed)
                    .dataType(DataType.FLOAT)
                    .updater(new Sgd(rate))
                    .weightInit(WeightInit.XAVIER)
                    .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same)
                    .list()
                    .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(5, 5).nOut(16)
                            .activation(Activation.RELU).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(
                            org.deeplearning4j.nn.conf.layers.SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(5, 5).nOut(32)
                            .activation(Activation.RELU).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(
                            org.deeplearning4j.nn.conf.layers.SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                    .layer(new DenseLayer.Builder().nOut(hidden).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(maxClasses)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(side, side, 1))
                    .build();
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            return net;
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(rate))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(inputDim).nOut(hidden).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(hidden).nOut(hidden).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(maxClasses)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private DataSet dataSet(LabeledBatch batch) {
        // A copy: DL4J may normalise or reshape what it is given, and callers' arrays stay untouched.
        INDArray features = batch.inputs().castTo(DataType.FLOAT).dup();
        return new DataSet(features, oneHot(batch.labels()));
    }

    @Override
    public void learn(LabeledBatch batch) {
        learn(batch, batch.size());
    }

    @Override
    public void learn(LabeledBatch batch, int newExamples) {
        if (newExamples < 0 || newExamples > batch.size()) {
            throw new IllegalArgumentException("newExamples must lie in [0, " + batch.size() + "], got " + newExamples);
        }
        if (architecture == Architecture.MLP) {
            INDArray inputs = batch.inputs().castTo(DataType.FLOAT);
            INDArray targets = oneHot(batch.labels());
            for (int step = 0; step < stepsPerBatch; step++) {
                mlpStep.step(network, inputs, targets, learningRate);
            }
        } else {
            DataSet data = dataSet(batch);
            for (int step = 0; step < stepsPerBatch; step++) {
                network.fit(data);
            }
        }
        retained += newExamples;
    }

    /** Plain gradient ascent through DL4J (the simplest baseline): approximate. */
    @Override
    public io.lethe.learning.UnlearningResult unlearn(LabeledBatch batch) {
        return unlearn(batch, new io.lethe.learning.unlearning.Dl4jGradientAscent(), null, seed);
    }

    /**
     * Unlearns the batch with the given method (drawing retained examples from {@code remain} if it
     * needs them), and counts the batch as no longer retained: the one place that count goes down.
     */
    public io.lethe.learning.UnlearningResult unlearn(LabeledBatch forget, io.lethe.learning.unlearning.UnlearningMethod method,
                                                      io.lethe.learning.unlearning.UnlearningMethod.RemainSampler remain,
                                                      long unlearningSeed) {
        if (!method.supports(architecture)) {
            throw new IllegalArgumentException(method.name() + " cannot unlearn from a " + architecture
                    + " (see UnlearningMethod.forNetwork)");
        }
        method.unlearn(this, forget, remain, unlearningSeed);
        retained -= forget.size();
        return io.lethe.learning.UnlearningResult.approximate(method.name(), forget.size(), Map.of());
    }

    /**
     * DL4J's training steps on the batch with the learning rate negated; the retained count is the
     * caller's. Ascent on a loss without an upper bound can diverge: a step after which the network's
     * outputs on the batch are no longer finite is undone and the ascent stops there, so the network
     * stays usable.
     */
    public void ascend(LabeledBatch batch) {
        DataSet data = dataSet(batch);
        network.setLearningRate(-learningRate);
        try {
            for (int step = 0; step < stepsPerBatch; step++) {
                INDArray before = network.params().dup();
                network.fit(data);
                if (!Double.isFinite(network.output(data.getFeatures(), false).sumNumber().doubleValue())) {
                    network.setParams(before);
                    break;
                }
            }
        } finally {
            network.setLearningRate(learningRate);
        }
    }

    /** The network itself, for unlearning methods that work on its parameters and gradients. */
    public MultiLayerNetwork network() {
        return network;
    }

    /** The SGD learning rate of its steps. */
    public double learningRate() {
        return learningRate;
    }

    public Architecture architecture() {
        return architecture;
    }

    public int maxClasses() {
        return maxClasses;
    }

    /** One-hot float labels for the network, checked against the output width. */
    public INDArray oneHot(int[] labels) {
        float[] oneHot = new float[labels.length * maxClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= maxClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " outside [0, " + maxClasses + ")");
            }
            oneHot[i * maxClasses + labels[i]] = 1f;
        }
        return Nd4j.create(oneHot, new long[] {labels.length, maxClasses}, DataType.FLOAT);
    }

    @Override
    public INDArray scores(INDArray inputs) {
        return network.output(inputs.castTo(DataType.FLOAT).dup(), false).castTo(DataType.DOUBLE);
    }

    @Override
    public int[] predict(INDArray inputs) {
        return io.lethe.learning.Argmax.rows(scores(inputs));
    }

    /** What a checkpoint holds: a copy of the network without its optimizer state. */
    public NetworkPredictor predictor() {
        return new NetworkPredictor(network.clone());
    }

    @Override
    public int[] classes() {
        return java.util.stream.IntStream.range(0, maxClasses).toArray();
    }

    @Override
    public long retainedExamples() {
        return retained;
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("learner", architecture.name().toLowerCase(java.util.Locale.ROOT));
        m.put("mlp.input_dim", Integer.toString(inputDim));
        m.put("mlp.hidden", Integer.toString(hidden));
        m.put("mlp.max_classes", Integer.toString(maxClasses));
        m.put("mlp.learning_rate", Double.toString(learningRate));
        m.put("mlp.steps_per_batch", Integer.toString(stepsPerBatch));
        m.put("mlp.seed", Long.toString(seed));
        return m;
    }

    /**
     * Writes what the network knows, exactly and without the timestamps of DL4J's zip format: every
     * parameter, the updater's state and the retained count. Two networks that write the same bytes
     * here predict and learn alike; {@link #writeState} bytes differ with the time they were written.
     */
    public void writeContent(DataOutputStream out) throws IOException {
        out.writeLong(retained);
        for (float v : network.params().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector()) {
            out.writeFloat(v);
        }
        org.nd4j.linalg.api.ndarray.INDArray updater = network.getUpdater() == null ? null
                : network.getUpdater().getStateViewArray();
        if (updater != null) {
            for (float v : updater.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector()) {
                out.writeFloat(v);
            }
        }
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, model, true);
        out.writeInt(STATE_MAGIC);
        out.writeLong(retained);
        out.writeInt(model.size());
        model.writeTo(out);
        out.flush();
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        if (in.readInt() != STATE_MAGIC) {
            throw new IOException("not an MLP learner state (bad magic)");
        }
        long newRetained = in.readLong();
        byte[] model = new byte[in.readInt()];
        in.readFully(model);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model), true);
        if (restored.numParams() != network.numParams() || restored.getnLayers() != network.getnLayers()) {
            throw new IOException("state was written by an MLP of another shape");
        }
        network = restored;
        retained = newRetained;
    }
}
