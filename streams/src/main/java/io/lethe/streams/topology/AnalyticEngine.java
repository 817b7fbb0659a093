package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.NativeArrays;
import io.lethe.learning.Learner;
import io.lethe.learning.analytic.AnalyticRidgeLearner;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The exact learner: ridge statistics on frozen features; unlearning equals retraining without the data. */
final class AnalyticEngine implements LearningEngine {

    private final LetheConfig config;
    private final AnalyticRidgeLearner learner;
    /** Learned examples' features, for unlearning them; null when off (or the map does not give float32). */
    private FeatureCache cache;

    AnalyticEngine(LetheConfig config) {
        this.config = config;
        io.lethe.learning.NumericThreads.apply(config.learner().threads());
        this.learner = new AnalyticRidgeLearner(config.featureMap(), config.ridgeGamma());
        this.cache = config.featureCacheBytes() > 0 ? new FeatureCache(learner.featureDim(), config.featureCacheBytes())
                : null;
    }

    @Override
    public void init(ProcessorContext<?, ?> context, io.lethe.streams.privacy.SubjectKeys keys) {
        // All state is in the learner (snapshots) and the processor's stores.
    }

    @Override
    public void learn(List<TrainingExample> examples, boolean fresh) {
        lastResidual = null; // it no longer describes the model
        LabeledBatch batch = ExampleBatches.of(examples, config.featureMap().inputDim());
        if (cache == null) {
            learner.learn(batch);
            return;
        }
        INDArray features = learner.featureMap().apply(batch.inputs());
        NativeArrays.releaseDerived(batch.inputs(), features); // the map may hand back its input
        if (features.dataType() == DataType.FLOAT) {
            INDArray dense = rowMajorArray(features);
            java.nio.FloatBuffer rows = dense.data().asNioFloat(); // a view: dense must stay reachable
            for (int i = 0; i < examples.size(); i++) {
                cache.put(RetainedExamples.key(examples.get(i)), rows, i);
            }
            java.lang.ref.Reference.reachabilityFence(dense);
        } else {
            cache = null; // kept as float32, other features would not be the same numbers: no cache
        }
        learner.learnFeatures(features, batch.labels()); // float32 rows are widened by the learner, which keeps no reference
        NativeArrays.releaseDerived(features, batch.inputs());
    }


    @Override
    public void unlearn(List<TrainingExample> examples) {
        // One batch: the learner picks a rank-n update or a re-inversion, whichever is cheaper.
        if (cache == null) {
            lastResidual = learner.unlearn(ExampleBatches.of(examples, config.featureMap().inputDim())).residual();
            return;
        }
        int n = examples.size();
        int d = learner.featureDim();
        float[] rows = new float[n * d];
        int[] labels = new int[n];
        List<Integer> missing = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = examples.get(i).getLabel();
            if (!cache.copy(RetainedExamples.key(examples.get(i)), rows, i)) {
                missing.add(i); // learned before a restart, or made room for newer ones
            }
        }
        if (!missing.isEmpty()) {
            List<TrainingExample> recompute = missing.stream().map(examples::get).toList();
            float[] computed = rowMajor(learner.featureMap().apply(ExampleBatches.of(recompute,
                    config.featureMap().inputDim()).inputs()));
            for (int m = 0; m < missing.size(); m++) {
                System.arraycopy(computed, m * d, rows, missing.get(m) * d, d);
            }
        }
        // float32, as kept: the learner widens them to float64 itself, a block of rows at a time for a large batch
        INDArray features = NativeArrays.floatMatrix(rows, n, d);
        lastResidual = learner.unlearnFeatures(features, labels).residual();
        NativeArrays.release(features);
        examples.forEach(e -> cache.remove(RetainedExamples.key(e)));
    }

    /** The features themselves when they are laid out row-major in memory of their own (as the conv map's are), else a copy so. */
    private static INDArray rowMajorArray(INDArray features) {
        return features.isView() || features.ordering() != 'c' ? features.dup('c') : features;
    }

    /** The rows of a float32 matrix, one after the other. */
    private static float[] rowMajor(INDArray features) {
        return rowMajorArray(features).data().asFloat();
    }

    /** How many learned examples' features are kept (for tests). */
    int cachedFeatures() {
        return cache == null ? 0 : cache.size();
    }

    /** The residual the last unlearning proved, until a receipt has used it. */
    private Double lastResidual;

    @Override
    public Verification verify(int removed) {
        double residual = lastResidual != null ? lastResidual : learner.normalEquationResidual();
        lastResidual = null;
        return new Verification("ridge-normal-equation-residual", residual,
                "removed " + removed + " examples exactly (analytic unlearning)", java.util.Map.of());
    }

    /** Frozen features of each evaluation set, computed once per set (identity of the batch object). */
    private final java.util.Map<LabeledBatch, INDArray> evaluationFeatures = new java.util.IdentityHashMap<>();

    @Override
    public int[] predictEvaluation(LabeledBatch batch) {
        if (!evaluationFeatures.containsKey(batch)) {
            if (evaluationFeatures.size() > 64) {
                evaluationFeatures.clear(); // sets were replaced many times: drop the stale ones
            }
            evaluationFeatures.put(batch, learner.features(batch.inputs()));
        }
        return learner.predictFromFeatures(evaluationFeatures.get(batch));
    }

    @Override
    public void onIdle() {
        if (learner.inverseBehind()) {
            // Idle: bring R up to date now, so the next erasure pays only for its own rank-n update.
            learner.refresh();
        }
        learner.tidy();
    }

    @Override
    public io.lethe.learning.Predictor predictor() {
        return learner.model();
    }

    @Override
    public String kind() {
        return "analytic-ridge";
    }

    @Override
    public int batchSize() {
        return config.learnBatchSize();
    }

    @Override
    public java.util.Map<String, String> describe() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(config.featureMap().describe());
        m.put("learner", kind());
        m.put("ridge.gamma", Double.toString(config.ridgeGamma()));
        m.put("max.classes", Integer.toString(config.maxClasses()));
        m.put("learn.batch.size", Integer.toString(config.learnBatchSize()));
        return m;
    }

    @Override
    public Learner learner() {
        return learner;
    }

    @Override
    public java.util.Map<String, Long> seeds() {
        return java.util.Map.of("feature.seed", config.featureMap().seed());
    }

    @Override
    public void warmUp() {
        AnalyticRidgeLearner scratch = new AnalyticRidgeLearner(config.featureMap(), config.ridgeGamma());
        int n = 96;
        int dim = config.featureMap().inputDim();
        float[] values = new float[n * dim];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        INDArray inputs = NativeArrays.floatMatrix(values, n, dim);
        scratch.learn(new LabeledBatch(inputs, labels));
        scratch.refreshHead();
        scratch.refresh();
        scratch.unlearn(new LabeledBatch(inputs.get(NDArrayIndex.interval(0, 60), NDArrayIndex.all()).dup(),
                Arrays.copyOf(labels, 60)));
        scratch.normalEquationResidual();
        scratch.model();
        // Every 32nd rank-n update re-symmetrises R, a loop over d^2/2 pairs that the JIT compiles only once it
        // has run: in a fresh process the 32nd erasure paid about 85 ms more for it (bench: request #11 of the
        // timed ones, after 20 warm-up requests, in every run).
        INDArray square = Nd4j.rand(DataType.DOUBLE, learner.featureDim(), learner.featureDim());
        for (int i = 0; i < 3; i++) {
            io.lethe.learning.analytic.RidgeSolver.symmetrise(square);
        }
    }
}
