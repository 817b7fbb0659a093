package io.lethe.learning.analytic;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which label each column of the ridge head stands for, and how many retained examples each holds.
 * Columns are added in the order labels are first seen and never removed: a fully erased class
 * keeps its column with a count of zero and is never predicted (it is not active).
 */
final class ClassColumns {

    private int[] labels = new int[0];
    private long[] counts = new long[0];

    int size() {
        return labels.length;
    }

    /** The column of a label, or -1 when it has none. */
    int columnOf(int label) {
        for (int c = 0; c < labels.length; c++) {
            if (labels[c] == label) {
                return c;
            }
        }
        return -1;
    }

    /** Adds a column for a label seen for the first time; true when one was added. */
    boolean ensure(int label) {
        if (label < 0) {
            throw new IllegalArgumentException("labels must be non-negative, got " + label);
        }
        if (columnOf(label) >= 0) {
            return false;
        }
        labels = Arrays.copyOf(labels, labels.length + 1);
        labels[labels.length - 1] = label;
        counts = Arrays.copyOf(counts, counts.length + 1);
        return true;
    }

    /** Whether the model holds at least one example of the label (so it can be unlearned). */
    boolean holds(int label) {
        int column = columnOf(label);
        return column >= 0 && counts[column] > 0;
    }

    /** Counts the examples of the given labels in ({@code sign} +1) or out (-1). */
    void count(int[] ofLabels, int sign) {
        for (int label : ofLabels) {
            counts[columnOf(label)] += sign;
        }
    }

    int[] labels() {
        return labels.clone();
    }

    /** Whether each column still holds retained examples. */
    boolean[] active() {
        boolean[] active = new boolean[labels.length];
        for (int c = 0; c < labels.length; c++) {
            active[c] = counts[c] > 0;
        }
        return active;
    }

    /** One-hot rows (n x columns, float64) for the given labels. */
    INDArray oneHot(int[] ofLabels) {
        double[] flat = new double[ofLabels.length * labels.length];
        for (int i = 0; i < ofLabels.length; i++) {
            flat[i * labels.length + columnOf(ofLabels[i])] = 1.0;
        }
        return Nd4j.create(flat, new long[] {ofLabels.length, labels.length}, DataType.DOUBLE);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(labels.length);
        for (int c = 0; c < labels.length; c++) {
            out.writeInt(labels[c]);
            out.writeLong(counts[c]);
        }
    }

    /** Reads what {@link #write} wrote. */
    static ClassColumns read(DataInputStream in) throws IOException {
        ClassColumns columns = new ClassColumns();
        int c = in.readInt();
        columns.labels = new int[c];
        columns.counts = new long[c];
        for (int i = 0; i < c; i++) {
            columns.labels[i] = in.readInt();
            columns.counts[i] = in.readLong();
        }
        return columns;
    }

    /** The matrix with one more column, of zeros, for a class seen for the first time. */
    static org.nd4j.linalg.api.ndarray.INDArray withZeroColumn(org.nd4j.linalg.api.ndarray.INDArray m) {
        org.nd4j.linalg.api.ndarray.INDArray wider = org.nd4j.linalg.factory.Nd4j.zeros(
                org.nd4j.linalg.api.buffer.DataType.DOUBLE, m.rows(), m.columns() + 1);
        if (m.columns() > 0) {
            wider.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, m.columns())).assign(m);
        }
        return wider;
    }
}
