package io.lethe.learning.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.data.ImageDataset;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScenariosTest {

    /** 4 x 4 images, labels cycling 0..9. */
    private static ImageDataset images(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] pixels = new byte[n][16];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 16; j++) {
                pixels[i][j] = (byte) random.nextInt(256);
            }
            labels[i] = i % 10;
        }
        return new ImageDataset(pixels, labels, 4);
    }

    @Test
    void splitTasksHoldTheirTwoClassesAndEveryExampleOnce() {
        ImageDataset train = images(200, 1);
        Scenario s = Scenarios.split("toy", train, images(50, 2), 5, 0, 7);
        assertEquals(5, s.tasks().size());
        assertEquals(200, s.streamLength());
        for (TaskData t : s.tasks()) {
            assertTrue(Arrays.stream(t.trainIndices()).allMatch(i -> train.labels()[i] / 2 == t.task()));
            assertTrue(Arrays.stream(t.testIndices()).allMatch(i -> t.test().labels()[i] / 2 == t.task()));
            assertNull(t.permutation());
        }
    }

    @Test
    void permutedTasksAreSeededPermutationsWithTaskZeroTheIdentity() {
        ImageDataset train = images(30, 1);
        Scenario a = Scenarios.permuted("toy", train, images(10, 2), 4, 20, 11);
        Scenario b = Scenarios.permuted("toy", train, images(10, 2), 4, 20, 11);
        assertNull(a.tasks().get(0).permutation());
        for (int t = 1; t < 4; t++) {
            int[] p = a.tasks().get(t).permutation();
            assertArrayEquals(IntStream.range(0, 16).toArray(), Arrays.stream(p).sorted().toArray());
            assertArrayEquals(p, b.tasks().get(t).permutation(), "same seed, same permutation");
            int index = a.tasks().get(t).trainIndices()[0];
            assertEquals((train.pixels()[index][p[5]] & 0xff) / 255f, a.tasks().get(t).input(index)[5]);
        }
        assertEquals(80, a.streamLength(), "20 examples per task");
    }

    @Test
    void powerLawEnvironmentRevisitsOnlyEarlierTasksFavouringRecentOnes() {
        Scenario s = Scenarios.powerLaw("toy", images(100, 1), images(10, 2), 5, 0, 0.5, 4, 3);
        int newest = -1;
        int segment = 0;
        for (int block = 0; block < 5; block++) {
            for (; segment < s.blockEnds().get(block); segment++) {
                int task = s.segments().get(segment).task();
                if (task > newest) {
                    assertEquals(block, task, "each block opens with its new task");
                    newest = task;
                } else {
                    assertTrue(task < block, "revisits go to earlier tasks");
                }
            }
        }
        int[] counts = new int[4];
        SplittableRandom random = new SplittableRandom(1);
        for (int k = 0; k < 40_000; k++) {
            counts[Scenarios.drawPowerLaw(4, 1.0, random)]++;
        }
        // weights (n - i + 1)^-1 for n = 4: 1/5, 1/4, 1/3, 1/2 -> shares .1558, .1948, .2597, .3896
        double[] expected = {0.1558, 0.1948, 0.2597, 0.3896};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], counts[i] / 40_000.0, 0.01);
        }
    }

    @Test
    void unknownScenarioNamesFail() {
        assertThrows(IllegalArgumentException.class,
                () -> Scenarios.named("rotated", "toy", images(10, 1), images(10, 1), 2, 0, 0.5, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Scenarios.split("toy", images(10, 1), images(10, 1), 6, 0, 1));
    }
}
