package io.lethe.learning.experiment;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.NativeArrays;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.Pixels;
import java.util.Arrays;

/**
 * One task of a scenario: its training and evaluation examples, and, for domain-incremental
 * scenarios, the fixed pixel permutation applied to every image of the task.
 *
 * @param task task index (0-based)
 * @param train training images (the stream draws from these)
 * @param trainIndices which training images belong to the task, in a seeded order
 * @param test evaluation images
 * @param testIndices which evaluation images belong to the task
 * @param permutation pixel permutation (input position i reads pixel permutation[i]), or null
 */
public record TaskData(int task, ImageDataset train, int[] trainIndices, ImageDataset test, int[] testIndices,
                       int[] permutation) {

    /** Training image {@code index} (an index into {@link #train}) as a scaled, permuted input. */
    public float[] input(int index) {
        return scaled(train.pixels()[index]);
    }

    public int label(int index) {
        return train.labels()[index];
    }

    /** The raw (permuted) pixels of a training image, as a producer would send them. */
    public byte[] pixels(int index) {
        return permuted(train.pixels()[index]);
    }

    /** The raw (permuted) pixels of the task's k-th evaluation image, as a producer would send them. */
    public byte[] testPixels(int k) {
        return permuted(test.pixels()[testIndices[k]]);
    }

    public int testLabel(int k) {
        return test.labels()[testIndices[k]];
    }

    private byte[] permuted(byte[] raw) {
        if (permutation == null) {
            return raw.clone();
        }
        byte[] out = new byte[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[permutation[i]];
        }
        return out;
    }

    private float[] scaled(byte[] raw) {
        float[] out = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = Pixels.intensity(raw[permutation == null ? i : permutation[i]]);
        }
        return out;
    }

    /** The first {@code limit} evaluation images of the task (all when limit <= 0) as one batch. */
    public LabeledBatch testBatch(int limit) {
        int n = limit <= 0 ? testIndices.length : Math.min(limit, testIndices.length);
        int dim = test.pixels()[0].length;
        float[] flat = new float[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            float[] row = scaled(test.pixels()[testIndices[i]]);
            System.arraycopy(row, 0, flat, i * dim, dim);
            labels[i] = test.labels()[testIndices[i]];
        }
        return new LabeledBatch(NativeArrays.floatMatrix(flat, n, dim), labels);
    }

    @Override
    public String toString() {
        return "TaskData[task=" + task + ", train=" + trainIndices.length + ", test=" + testIndices.length
                + ", permuted=" + (permutation != null) + ", classes=" + Arrays.toString(
                Arrays.stream(trainIndices).map(i -> train.labels()[i]).distinct().sorted().toArray()) + "]";
    }
}
