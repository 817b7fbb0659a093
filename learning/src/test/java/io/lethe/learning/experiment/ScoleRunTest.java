package io.lethe.learning.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.replay.RehearsalConfig;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The SCoLe sequence: random recurring class pairs, and accuracy on all classes after every task. */
class ScoleRunTest {

    @Test
    void tasksAreTwoDistinctClassesDrawnWithReoccurrence() {
        int[][] pairs = ScoleRun.classPairs(200, 3);
        Set<String> seen = new HashSet<>();
        int repeats = 0;
        for (int[] pair : pairs) {
            assertNotEquals(pair[0], pair[1]);
            assertTrue(pair[0] >= 0 && pair[0] < 10 && pair[1] >= 0 && pair[1] < 10);
            String key = Math.min(pair[0], pair[1]) + "-" + Math.max(pair[0], pair[1]);
            repeats += seen.add(key) ? 0 : 1;
        }
        assertTrue(repeats > 100, "45 pairs in 200 tasks recur: " + repeats);
        assertArrayEquals(pairs[17], ScoleRun.classPairs(200, 3)[17], "seeded");
    }

    private static ImageDataset images(int n, long seed) {
        return BandImages.of(n, seed);
    }

    @Test
    void knowledgeAccumulatesOverARecurringSequenceEvenWithoutReplay() {
        ImageDataset train = images(2_000, 1);
        ImageDataset test = images(500, 2);
        NetworkLearner network = new NetworkLearner(784, 32, 10, 0.05, 1, 4);
        ScoleRun.Result r = ScoleRun.run(train, test, RehearsalConfig.none(1).trainer(network),
                new ScoleRun.Settings(60, 64, 16, 500, 9), line -> { });
        assertEquals(60, r.accuracyAfterTask().length);
        // One task teaches two classes of ten; accuracy over all ten after it cannot pass ~20 %.
        assertTrue(r.accuracyAfterTask()[0] <= 25, "after one task: " + r.accuracyAfterTask()[0]);
        assertTrue(r.meanOver(51, 61) > 2 * r.meanOver(1, 6), "the last tasks' accuracy "
                + r.meanOver(51, 61) + " against the first ones' " + r.meanOver(1, 6));
    }
}
