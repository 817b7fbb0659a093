package io.lethe.tools.demo;

import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.feature.FeatureMap;
import io.lethe.learning.feature.FeatureMapSpec;
import io.lethe.learning.feature.FeatureMaps;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Accuracy of model versions on the test images. The feature map is frozen, so the test features
 * are computed once and every version costs one small product.
 */
final class TestSetEvaluator {

    private final ImageDataset test;
    private final INDArray features;
    private final FeatureMapSpec spec;

    TestSetEvaluator(ImageDataset test, FeatureMapSpec spec) {
        this.test = test;
        this.spec = spec;
        FeatureMap map = FeatureMaps.create(spec);
        int n = test.size();
        this.features = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, n, map.outputDim());
        for (int start = 0; start < n; start += 1000) {
            int end = Math.min(n, start + 1000);
            int[] rows = IntStream.range(start, end).toArray();
            features.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(map.apply(test.batch(rows).inputs()));
        }
    }

    /** Predicted label of every test image. */
    int[] predict(RidgeModel model) {
        if (!model.featureMap().equals(spec)) {
            throw new IllegalArgumentException("model uses feature map " + model.featureMap() + ", evaluator " + spec);
        }
        return model.predictor().predictFromFeatures(features);
    }

    /** Predicted label of every test image by any model that reads the raw input (the network). */
    int[] predict(io.lethe.learning.Predictor model) {
        int[] out = new int[test.size()];
        for (int start = 0; start < test.size(); start += 1000) {
            int end = Math.min(test.size(), start + 1000);
            int[] rows = IntStream.range(start, end).toArray();
            System.arraycopy(model.predict(test.batch(rows).inputs()), 0, out, start, end - start);
        }
        return out;
    }

    /** Accuracy in percent over test images whose label is in {@code classes}. */
    double accuracy(int[] predicted, int... classes) {
        int correct = 0;
        int total = 0;
        int[] labels = test.labels();
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i];
            if (Arrays.stream(classes).anyMatch(c -> c == label)) {
                total++;
                correct += predicted[i] == label ? 1 : 0;
            }
        }
        return total == 0 ? Double.NaN : 100.0 * correct / total;
    }
}
