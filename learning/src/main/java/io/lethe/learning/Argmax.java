package io.lethe.learning;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The column of each row's highest score: the predicted label where columns are labels 0..C-1. */
public final class Argmax {

    private Argmax() {
    }

    public static int[] rows(INDArray scores) {
        int n = (int) scores.rows();
        int width = (int) scores.columns();
        // One flat copy: per-row views cost more than the scores themselves.
        double[] flat = scores.dup('c').data().asDouble();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < width; c++) {
                if (flat[i * width + c] > flat[i * width + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
