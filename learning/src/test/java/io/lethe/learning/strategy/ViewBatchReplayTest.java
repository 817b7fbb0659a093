package io.lethe.learning.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ViewBatchReplayTest {

    private static final int SIDE = 8;

    /** Images with a blob inside a 2-pixel margin, so that a shift of up to 2 loses nothing. */
    private static LabeledBatch images(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * SIDE * SIDE];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int r = 2; r < SIDE - 2; r++) {
                for (int c = 2; c < SIDE - 2; c++) {
                    x[i * SIDE * SIDE + r * SIDE + c] = (float) random.nextDouble();
                }
            }
        }
        return new LabeledBatch(Nd4j.create(x, new long[] {n, SIDE * SIDE}, DataType.FLOAT), y);
    }

    @Test
    void everyExampleComesInViewsSideBySideAndTheReplayedPartKeepsOneInViews() {
        ViewBatchReplay views = new ViewBatchReplay(4, 2, 0, true, 1);
        LabeledBatch batch = images(10, 2); // 6 new, 4 replayed
        LabeledBatch step = views.stepBatch(batch, 6);
        assertEquals(6 * 4 + 1 * 16, step.size(), "6 new examples in 4 views, ceil(4 / 4) = 1 replayed one in 16");
        float[] original = batch.inputs().dup().data().asFloat();
        float[] out = step.inputs().dup().data().asFloat();
        int width = SIDE * SIDE;
        for (int i = 0; i < 7; i++) {
            float[] source = Arrays.copyOfRange(original, i * width, (i + 1) * width);
            int count = i < 6 ? 4 : 16;
            for (int v = 0; v < count; v++) {
                int row = Math.min(i, 6) * 4 + (i - Math.min(i, 6)) * 16 + v;
                assertEquals(batch.labels()[i], step.labels()[row]);
                float[] view = Arrays.copyOfRange(out, row * width, (row + 1) * width);
                if (v == 0) {
                    assertArrayEquals(source, view, "the first view is the example itself");
                } else {
                    assertTrue(isShiftOf(source, view, 2), "view " + v + " of example " + i + " is a shift of it");
                }
            }
        }
    }

    @Test
    void inputsThatAreNotSquareImagesRepeatUnchanged() {
        LabeledBatch batch = new LabeledBatch(Nd4j.rand(DataType.FLOAT, 3, 10), new int[] {0, 1, 2});
        LabeledBatch step = new ViewBatchReplay(2, 2, 0, false, 1).stepBatch(batch, 3);
        assertEquals(6, step.size());
        assertArrayEquals(batch.inputs().getRow(1).toFloatVector(), step.inputs().getRow(3).toFloatVector());
    }

    @Test
    void dropoutViewsZeroSomeInputsAndKeepTheRest() {
        LabeledBatch batch = new LabeledBatch(Nd4j.rand(DataType.FLOAT, 2, 400).addi(0.1), new int[] {0, 1});
        LabeledBatch step = new ViewBatchReplay(3, 0, 0.1, false, 1).stepBatch(batch, 2);
        assertEquals(6, step.size(), "every example, replayed ones too, in 3 views without rest");
        float[] source = batch.inputs().getRow(0).toFloatVector();
        float[] view = step.inputs().getRow(1).toFloatVector();
        int zeroed = 0;
        for (int k = 0; k < source.length; k++) {
            if (view[k] == 0) {
                zeroed++;
            } else {
                assertEquals(source[k], view[k], 0f);
            }
        }
        assertTrue(zeroed > 10 && zeroed < 80, zeroed + " of 400 inputs zeroed at p = 0.1");
    }

    private static boolean isShiftOf(float[] source, float[] view, int maxShift) {
        for (int dx = -maxShift; dx <= maxShift; dx++) {
            for (int dy = -maxShift; dy <= maxShift; dy++) {
                float[] shifted = new float[source.length];
                ViewBatchReplay.translate(source, 0, shifted, 0, SIDE, dx, dy);
                if (Arrays.equals(shifted, view)) {
                    return true;
                }
            }
        }
        return false;
    }
}
