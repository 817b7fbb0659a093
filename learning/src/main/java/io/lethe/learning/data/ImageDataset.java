package io.lethe.learning.data;

import io.lethe.learning.LabeledBatch;
import java.util.Arrays;

/**
 * Images as unsigned 8-bit rows with integer labels.
 *
 * @param pixels one row of side*side values per image (0..255 as unsigned bytes)
 * @param labels one label per image
 * @param side image side
 */
public record ImageDataset(byte[][] pixels, int[] labels, int side) {

    public ImageDataset {
        if (pixels.length != labels.length) {
            throw new IllegalArgumentException(pixels.length + " images but " + labels.length + " labels");
        }
    }

    public int size() {
        return labels.length;
    }

    /** Rows at the given indices, scaled to [0, 1]. */
    public LabeledBatch batch(int[] indices) {
        byte[][] rows = new byte[indices.length][];
        int[] selected = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            rows[i] = pixels[indices[i]];
            selected[i] = labels[indices[i]];
        }
        return LabeledBatch.fromPixels(rows, selected);
    }

    /** Indices of the images whose label is in the given set, in order. */
    public int[] indicesOfClasses(int... classes) {
        return java.util.stream.IntStream.range(0, labels.length)
                .filter(i -> Arrays.stream(classes).anyMatch(c -> c == labels[i])).toArray();
    }
}
