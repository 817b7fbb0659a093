package io.lethe.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The bulk-copied matrix holds the same values, in the same places, as ND4J's own element-wise path. */
class NativeArraysTest {

    @Test
    void holdsExactlyWhatNd4jsOwnCreateHolds() {
        int rows = 37;
        int cols = 784;
        float[] values = new float[rows * cols];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        INDArray bulk = NativeArrays.floatMatrix(values, rows, cols);
        INDArray reference = Nd4j.create(values, new long[] {rows, cols}, DataType.FLOAT);
        assertEquals(DataType.FLOAT, bulk.dataType());
        assertEquals('c', bulk.ordering());
        assertArrayEquals(new long[] {rows, cols}, bulk.shape());
        assertEquals(reference, bulk);
        assertEquals(values[5 * cols + 3], bulk.getFloat(5, 3)); // row-major: row 5, column 3
        values[0] = 42f;
        assertEquals(reference.getFloat(0, 0), bulk.getFloat(0, 0), "a copy, not a view of the array");
    }

    @Test
    void anEmptyMatrixAndAWrongCount() {
        assertArrayEquals(new long[] {0, 784}, NativeArrays.floatMatrix(new float[0], 0, 784).shape());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> NativeArrays.floatMatrix(new float[10], 3, 4));
        assertEquals("a 3 x 4 matrix needs 12 values, got 10", wrong.getMessage());
    }
}
