package io.lethe.learning.analytic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The column-block update of G is what one GEMM gives, bit for bit: every entry is the same dot
 * product whichever block (and thread) computes it, so the learner's statistics do not depend on how
 * the work was split.
 */
class GramUpdateTest {

    @Test
    void blockedUpdateEqualsOneGemmBitForBit() {
        Nd4j.getRandom().setSeed(7);
        for (int d : new int[] {100, 600, 1_000}) { // one GEMM, then one block per core
            INDArray x = Nd4j.rand(DataType.DOUBLE, 97, d).subi(0.5);
            INDArray start = Nd4j.rand(DataType.DOUBLE, d, d);
            INDArray start2 = start.add(start.transpose()).dup('f');

            INDArray blocked = start2.dup('f');
            GramUpdate.add(blocked, x, 1);
            INDArray oneGemm = start2.dup('f');
            Nd4j.gemm(x, x, oneGemm, true, false, 1.0, 1.0);
            assertArrayEquals(oneGemm.data().asDouble(), blocked.data().asDouble(), 0.0, "d = " + d);

            GramUpdate.add(blocked, x, -1); // a downdate takes the same rows out again
            Nd4j.gemm(x, x, oneGemm, true, false, -1.0, 1.0);
            assertArrayEquals(oneGemm.data().asDouble(), blocked.data().asDouble(), 0.0, "d = " + d + ", downdate");
            assertEquals(0.0, blocked.sub(start2).amaxNumber().doubleValue(), 1e-12);
        }
    }
}
