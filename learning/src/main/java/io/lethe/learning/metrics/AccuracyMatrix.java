package io.lethe.learning.metrics;

import java.util.Arrays;

/**
 * R[i][j]: accuracy on task j after training on task i (tasks 0..T-1). Conventions: ACC = mean over
 * j of R[T-1][j]; BWT = 1/(T-1) sum over j < T-1 of (R[T-1][j] - R[j][j]); FWT = 1/(T-1) sum over
 * j >= 1 of (R[j-1][j] - b_j), with b_j the accuracy of an untrained model on task j.
 */
public final class AccuracyMatrix {

    private final double[][] r;

    public AccuracyMatrix(int tasks) {
        if (tasks < 1) {
            throw new IllegalArgumentException("at least one task, got " + tasks);
        }
        r = new double[tasks][tasks];
        for (double[] row : r) {
            Arrays.fill(row, Double.NaN);
        }
    }

    public void set(int afterTask, int task, double accuracy) {
        r[afterTask][task] = accuracy;
    }

    public double get(int afterTask, int task) {
        return r[afterTask][task];
    }

    public int tasks() {
        return r.length;
    }

    public double accuracy() {
        return Arrays.stream(r[r.length - 1]).average().orElse(Double.NaN);
    }

    public double backwardTransfer() {
        int t = r.length;
        if (t < 2) {
            return Double.NaN;
        }
        double sum = 0;
        for (int j = 0; j < t - 1; j++) {
            sum += r[t - 1][j] - r[j][j];
        }
        return sum / (t - 1);
    }

    public double forwardTransfer(double[] untrained) {
        int t = r.length;
        if (untrained.length != t) {
            throw new IllegalArgumentException("need one untrained accuracy per task: " + t + ", got " + untrained.length);
        }
        if (t < 2) {
            return Double.NaN;
        }
        double sum = 0;
        for (int j = 1; j < t; j++) {
            sum += r[j - 1][j] - untrained[j];
        }
        return sum / (t - 1);
    }
}
