package io.lethe.learning.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.data.ImageDataset;
import org.junit.jupiter.api.Test;

/** The RESTOR-style corruption scenario: its data, its recovery measure, and the analytic learner's exact recovery. */
class CorruptionScenarioTest {

    private static ImageDataset images(int n, long seed) {
        return BandImages.of(n, seed);
    }

    @Test
    void theCorruptingSetIsEveryImageOfTheClassTwiceMoreWithOneWrongLabel() {
        ImageDataset clean = images(200, 1);
        ImageDataset corrupted = CorruptionScenario.corrupted(clean, 3);
        int[] threes = clean.indicesOfClasses(3);
        assertEquals(clean.size() + 2 * threes.length, corrupted.size());
        for (int i = 0; i < 2 * threes.length; i++) {
            assertSame(clean.pixels()[threes[i % threes.length]], corrupted.pixels()[clean.size() + i]);
            assertEquals(8, corrupted.labels()[clean.size() + i]);
        }
        for (int i = 0; i < clean.size(); i++) {
            assertEquals(clean.labels()[i], corrupted.labels()[i], "the clean part is unchanged");
        }
    }

    @Test
    void recoveryIsTheShareOfTheDamageUndone() {
        assertEquals(100, CorruptionScenario.recovery(95, 40, 95), 1e-12);
        assertEquals(0, CorruptionScenario.recovery(40, 40, 95), 1e-12);
        assertEquals(50, CorruptionScenario.recovery(67.5, 40, 95), 1e-12);
    }

    @Test
    void theAnalyticLearnerRecoversTheCleanSolveExactly() {
        ImageDataset clean = images(400, 2);
        ImageDataset corrupted = CorruptionScenario.corrupted(clean, 3);
        ImageDataset test = images(200, 3);
        CorruptionScenario.ExactRecovery r = CorruptionScenario.exactRecovery("corrupt-3", corrupted, clean.size(), test,
                3, 7, line -> { });
        assertEquals(80, r.corrupting());
        assertTrue(r.distanceToCleanSolve() <= 1e-9, "head after unlearning vs the clean learner's: " + r.distanceToCleanSolve());
        assertTrue(r.corruptedDamagedTest() < r.cleanDamagedTest(), "the corruption damages class 3: " + r);
        assertEquals(r.cleanDamagedTest(), r.unlearnedDamagedTest(), 1e-12, "and unlearning undoes all of it");
        assertEquals(100, r.recovery(), 1e-9);
        assertTrue(r.relearnedDistanceToClean() <= 1e-9, "relearning brings back exactly what it teaches the clean"
                + " learner: " + r.relearnedDistanceToClean());
    }
}
