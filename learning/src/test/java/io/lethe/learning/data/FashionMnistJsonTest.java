package io.lethe.learning.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistJsonTest {

    @TempDir
    Path dir;

    private static String image(int value) {
        StringJoiner j = new StringJoiner(",", "[", "]");
        for (int i = 0; i < 784; i++) {
            j.add(Integer.toString((value + i) % 256));
        }
        return j.toString();
    }

    @Test
    void readsEveryClassSkipsShortRecordsAndSplitsTheLastImagesOff() throws IOException {
        for (int label = 0; label < 10; label++) {
            StringJoiner records = new StringJoiner(",", "{\"data\":[", "]}");
            if (label == 0) {
                records.add("[]").add("[]");
            }
            for (int k = 0; k < 3; k++) {
                records.add(image(label * 10 + k));
            }
            Files.writeString(dir.resolve(label + ".json"), records.toString());
        }
        FashionMnistJson.Split split = FashionMnistJson.load(dir, 1);
        assertEquals(20, split.train().size());
        assertEquals(10, split.test().size());
        assertEquals(9, split.test().labels()[9]);
        assertEquals(92, split.test().pixels()[9][0] & 0xff, "the last record of class 9 starts at 92");
        assertEquals(201 % 256, split.train().pixels()[0][201] & 0xff);
    }

    @Test
    void missingFilesAndOutOfRangeValuesFailClearly() throws IOException {
        assertThrows(IOException.class, () -> FashionMnistJson.load(dir, 1));
        Files.writeString(dir.resolve("bad.json"), "{\"data\":[[300]]}");
        assertThrows(IOException.class, () -> FashionMnistJson.readRows(dir.resolve("bad.json")));
    }
}
