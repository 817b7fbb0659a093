package io.lethe.learning.analytic;

import io.lethe.learning.feature.FeatureMap;
import io.lethe.learning.feature.FeatureMapSpec;
import io.lethe.learning.feature.FeatureMaps;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What prediction needs and nothing more: the feature map's spec (not its weights), the head weights
 * and which classes are live. This is what a checkpoint holds; the learner's working state (G, Q, R)
 * stays with the learner.
 *
 * @param featureMap spec to rebuild the frozen map
 * @param classes label of each head column
 * @param active whether each class still has retained examples; erased classes never win argmax
 * @param weights d x C head, float64
 */
public record RidgeModel(FeatureMapSpec featureMap, int[] classes, boolean[] active, INDArray weights)
        implements io.lethe.learning.Predictor {

    /** The checkpoint payload kind of a ridge head. */
    public static final String KIND = "analytic-ridge";

    public RidgeModel {
        if (classes.length != active.length || weights.columns() != classes.length && classes.length > 0) {
            throw new IllegalArgumentException("classes, active flags and weight columns disagree");
        }
        classes = classes.clone();
        active = active.clone();
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    @Override
    public boolean[] active() {
        return active.clone();
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Rebuilds the feature map per call: hold a {@link #predictor()} to predict repeatedly. */
    @Override
    public INDArray scores(INDArray inputs) {
        FeaturePredictor bound = predictor();
        return bound.scoresFromFeatures(bound.featuresOf(inputs));
    }

    /** Rebuilds the feature map per call: hold a {@link #predictor()} to predict repeatedly. */
    @Override
    public int[] predict(INDArray inputs) {
        return predictor().predict(inputs);
    }

    /** A predictor bound to this model, holding the rebuilt feature map. */
    public FeaturePredictor predictor() {
        return new FeaturePredictor(FeatureMaps.create(featureMap));
    }

    /** Scores and labels for raw inputs, with the feature map built once. */
    public final class FeaturePredictor {
        private final FeatureMap map;

        private FeaturePredictor(FeatureMap map) {
            this.map = map;
        }

        public INDArray featuresOf(INDArray inputs) {
            return map.apply(inputs).castTo(DataType.DOUBLE);
        }

        public INDArray scoresFromFeatures(INDArray features) {
            if (classes.length == 0) {
                return Nd4j.zeros(DataType.DOUBLE, features.rows(), 0);
            }
            return Nd4j.gemm(features, weights, false, false);
        }

        public int[] predictFromFeatures(INDArray features) {
            return argmax(scoresFromFeatures(features), classes, active);
        }

        public int[] predict(INDArray inputs) {
            return predictFromFeatures(featuresOf(inputs));
        }
    }

    static int[] argmax(INDArray scores, int[] classes, boolean[] active) {
        int n = (int) scores.rows();
        int[] out = new int[n];
        if (classes.length == 0) {
            Arrays.fill(out, -1);
            return out;
        }
        // One flat copy: toDoubleMatrix() builds a view per row, which costs more than the product.
        double[] s = scores.dup('c').data().asDouble();
        int width = classes.length;
        for (int i = 0; i < n; i++) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < width; c++) {
                if (active[c] && s[i * width + c] > bestScore) {
                    bestScore = s[i * width + c];
                    best = c;
                }
            }
            out[i] = best < 0 ? -1 : classes[best];
        }
        return out;
    }
}
