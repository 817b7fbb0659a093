package io.lethe.learning.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads MNIST's IDX files (big-endian int32 magic and dimensions, then unsigned bytes). */
public final class MnistIdx {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private MnistIdx() {
    }

    /** Loads the training set (60,000) or the test set (10,000) from a folder of IDX files. */
    public static ImageDataset load(Path folder, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        Path images = folder.resolve(prefix + "-images-idx3-ubyte");
        Path labels = folder.resolve(prefix + "-labels-idx1-ubyte");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IOException("MNIST files not found in " + folder + " (expected " + images.getFileName()
                    + " and " + labels.getFileName() + "); run scripts/fetch-data.sh first");
        }
        byte[][] pixels = readImages(images);
        int[] labelValues = readLabels(labels);
        return new ImageDataset(pixels, labelValues, 28);
    }

    static byte[][] readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IOException(file + ": not an IDX image file (magic " + Integer.toHexString(magic) + ")");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[][] out = new byte[count][rows * cols];
            for (int i = 0; i < count; i++) {
                in.readFully(out[i]);
            }
            return out;
        }
    }

    static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new IOException(file + ": not an IDX label file (magic " + Integer.toHexString(magic) + ")");
            }
            int count = in.readInt();
            int[] out = new int[count];
            for (int i = 0; i < count; i++) {
                out[i] = in.readUnsignedByte();
            }
            return out;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        return new DataInputStream(new BufferedInputStream(raw, 1 << 16));
    }
}
