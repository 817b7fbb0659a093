package io.lethe.learning.feature;

import org.nd4j.linalg.api.ndarray.INDArray;

final class InputChecks {

    private InputChecks() {
    }

    static void requireWidth(INDArray inputs, int width) {
        if (inputs.rank() != 2 || inputs.columns() != width) {
            throw new IllegalArgumentException("expected an n x " + width + " input matrix, got shape "
                    + java.util.Arrays.toString(inputs.shape()));
        }
    }
}
