package io.lethe.learning.analytic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The tiled in-place symmetrisation writes exactly what (m + m^T) * 0.5 computes, in either order. */
class SymmetriseTest {

    @Test
    void theTiledPassMatchesTheTransposedSumBitForBit() {
        for (char order : new char[] {'f', 'c'}) {
            for (int n : new int[] {1, 63, 150, 200}) {
                INDArray m = Nd4j.rand(DataType.DOUBLE, n, n).subi(0.5).dup(order);
                INDArray expected = m.add(m.transpose().dup(order)).muli(0.5);
                RidgeSolver.symmetrise(m);
                assertEquals(order, m.ordering());
                assertArrayEquals(expected.dup('c').data().asDouble(), m.dup('c').data().asDouble(), 0.0,
                        "n = " + n + ", order " + order);
            }
        }
    }

    @Test
    void aViewIsSymmetrisedThroughNd4jAndStaysAView() {
        INDArray big = Nd4j.rand(DataType.DOUBLE, 10, 10);
        INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4));
        RidgeSolver.symmetrise(view);
        assertEquals(big.getDouble(1, 2), big.getDouble(2, 1), 0.0);
        assertEquals(big.getDouble(0, 3), big.getDouble(3, 0), 0.0);
    }
}
