package io.lethe.learning;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch of inputs (one row each, already scaled) with their integer labels.
 *
 * @param inputs n x inputDim matrix; learners read it and never write it
 * @param labels n labels, each in [0, maxClasses)
 */
public record LabeledBatch(INDArray inputs, int[] labels) {

    public LabeledBatch {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(labels, "labels");
        if (inputs.rank() != 2) {
            throw new IllegalArgumentException("inputs must be a matrix, got rank " + inputs.rank());
        }
        if (inputs.rows() != labels.length) {
            throw new IllegalArgumentException(
                    "inputs have " + inputs.rows() + " rows but there are " + labels.length + " labels");
        }
        labels = labels.clone();
    }

    public int size() {
        return labels.length;
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** Builds a float batch from unsigned 8-bit pixel rows, scaled to [0, 1]. */
    public static LabeledBatch fromPixels(byte[][] pixels, int[] labels) {
        int n = pixels.length;
        int dim = n == 0 ? 0 : pixels[0].length;
        float[] flat = new float[n * dim];
        for (int i = 0; i < n; i++) {
            if (pixels[i].length != dim) {
                throw new IllegalArgumentException("row " + i + " has " + pixels[i].length + " values, expected " + dim);
            }
            for (int j = 0; j < dim; j++) {
                flat[i * dim + j] = io.lethe.learning.data.Pixels.intensity(pixels[i][j]);
            }
        }
        return new LabeledBatch(NativeArrays.floatMatrix(flat, n, dim), labels);
    }

    @Override
    public String toString() {
        return "LabeledBatch[n=" + labels.length + ", dim=" + inputs.columns() + ", labels=" + Arrays.toString(
                Arrays.copyOf(labels, Math.min(8, labels.length))) + "]";
    }
}
