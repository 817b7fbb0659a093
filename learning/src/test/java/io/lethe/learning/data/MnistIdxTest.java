package io.lethe.learning.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistIdxTest {

    @Test
    void readsTheIdxFormat(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(images);
        out.writeInt(0x803);
        out.writeInt(2);
        out.writeInt(2);
        out.writeInt(2);
        out.write(new byte[] {0, 1, 2, (byte) 255, 4, 5, 6, 7});
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images.toByteArray());
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        out = new DataOutputStream(labels);
        out.writeInt(0x801);
        out.writeInt(2);
        out.write(new byte[] {7, 3});
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels.toByteArray());

        ImageDataset set = MnistIdx.load(dir, false);
        assertEquals(2, set.size());
        assertArrayEquals(new int[] {7, 3}, set.labels());
        assertEquals(255, set.pixels()[0][3] & 0xff);
        assertEquals(1.0f, set.batch(new int[] {0}).inputs().getFloat(0, 3), 1e-6);
    }

    @Test
    void missingFilesSayWhatToRun(@TempDir Path dir) {
        Exception e = assertThrows(java.io.IOException.class, () -> MnistIdx.load(dir, true));
        assertEquals(true, e.getMessage().contains("fetch-data.sh"));
    }
}
