package io.lethe.learning.analytic;

import io.lethe.learning.StaleStateException;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The analytic learner's state on disk: a versioned header naming the configuration it belongs to
 * (feature map kind, d, seed, gamma), then the class columns, the retained count and G, R, Q, W. A
 * state of another configuration is refused, and one whose conv features were summed in float64 by
 * an earlier version is stale: its learner must be rebuilt from the retained examples.
 *
 * <p>The current layout ("LER3") writes each matrix as its order, shape and raw little-endian
 * float64s in one block (ND4J's own writer went through a stream call per number: most of a
 * snapshot's time), and R only when it is current: R follows from G, so a learner whose R waits for a
 * refresh is written without it and re-inverts it when it is next needed, instead of paying d^3 for
 * every snapshot. Layouts "LER2" and "LER1" (always R, ND4J's writer) are still read.
 *
 * @param gram G (d x d)
 * @param inverse R = (G + gamma I)^-1 (d x d), or null when it was not current (re-inverted from G)
 * @param cross Q (d x C)
 * @param head W (d x C)
 */
record AnalyticRidgeState(ClassColumns columns, long retained, INDArray gram, INDArray inverse, INDArray cross,
                          INDArray head) {

    private static final int MAGIC = 0x4c455233; // "LER3": float32 conv features, raw matrices, R optional
    /** Float32 conv features, every matrix through ND4J's writer, R always present. */
    private static final int MAGIC_ND4J_MATRICES = 0x4c455232; // "LER2"
    /** Before float32 conv features: its sums hold float64 features, which no erasure could subtract exactly now. */
    private static final int MAGIC_FLOAT64_CONV = 0x4c455231; // "LER1"

    void write(DataOutputStream out, FeatureMapSpec spec, int d, double gamma) throws IOException {
        out.writeInt(MAGIC);
        writeHeader(out, spec, d, gamma);
        columns.write(out);
        out.writeLong(retained);
        writeMatrix(gram, out);
        out.writeBoolean(inverse != null);
        if (inverse != null) {
            writeMatrix(inverse, out);
        }
        writeMatrix(cross, out);
        writeMatrix(head, out);
        out.flush();
    }

    /** The configuration a state belongs to, after its magic number. */
    static void writeHeader(DataOutputStream out, FeatureMapSpec spec, int d, double gamma) throws IOException {
        out.writeUTF(spec.kind());
        out.writeInt(d);
        out.writeLong(spec.seed());
        out.writeDouble(gamma);
    }

    /** Reads a state written for this configuration ({@code config} describes it in the error otherwise). */
    static AnalyticRidgeState read(DataInputStream in, FeatureMapSpec spec, int d, double gamma, Object config)
            throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC && magic != MAGIC_ND4J_MATRICES && magic != MAGIC_FLOAT64_CONV) {
            throw new IOException("not an analytic learner state (bad magic)");
        }
        String kind = in.readUTF();
        if (magic == MAGIC_FLOAT64_CONV && kind.equals(FeatureMapSpec.RANDOM_CONV)) {
            throw new StaleStateException("this state summed conv features computed in float64 by an"
                    + " earlier version; the features are float32 now, so the learner must be rebuilt from its examples");
        }
        int dim = in.readInt();
        long seed = in.readLong();
        double g = in.readDouble();
        if (!kind.equals(spec.kind()) || dim != d || seed != spec.seed() || g != gamma) {
            throw new IOException("state was written by a different learner configuration: kind " + kind + ", d "
                    + dim + ", seed " + seed + ", gamma " + g + "; this learner has " + config);
        }
        ClassColumns columns = ClassColumns.read(in);
        long retained = in.readLong();
        if (magic != MAGIC) {
            INDArray gram = Nd4j.read(in).dup('f');
            INDArray inverse = Nd4j.read(in).dup('f');
            INDArray cross = Nd4j.read(in);
            INDArray head = Nd4j.read(in);
            return new AnalyticRidgeState(columns, retained, gram, inverse, cross, head);
        }
        INDArray gram = columnMajor(readMatrix(in, d, d));
        INDArray inverse = in.readBoolean() ? columnMajor(readMatrix(in, d, d)) : null;
        INDArray cross = readMatrix(in, d, columns.size());
        INDArray head = readMatrix(in, d, columns.size());
        return new AnalyticRidgeState(columns, retained, gram, inverse, cross, head);
    }

    /** Order ('c' or 'f'), rows, columns, then the float64s in that order, little-endian, in one write. */
    static void writeMatrix(INDArray matrix, DataOutputStream out) throws IOException {
        boolean wholeBuffer = matrix.isEmpty() || !matrix.isView() && matrix.data().length() == matrix.length();
        INDArray m = !wholeBuffer || matrix.dataType() != DataType.DOUBLE
                ? matrix.castTo(DataType.DOUBLE).dup(matrix.ordering()) : matrix;
        out.writeChar(m.ordering());
        out.writeInt((int) m.rows());
        out.writeInt((int) m.columns());
        if (m.isEmpty()) {
            return; // d x 0 before the first class
        }
        // From the native buffer straight into the bytes (a double[] between them copied G once more).
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(m.length() * Double.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(m.data().asNioDouble());
        out.write(bytes.array());
    }

    private static INDArray readMatrix(DataInputStream in, int rows, int columns) throws IOException {
        char order = in.readChar();
        int r = in.readInt();
        int c = in.readInt();
        if (r != rows || c != columns || (order != 'c' && order != 'f')) {
            throw new IOException("state matrix is " + r + " x " + c + " (order '" + order + "'), expected " + rows
                    + " x " + columns);
        }
        if (r == 0 || c == 0) {
            return Nd4j.zeros(DataType.DOUBLE, r, c);
        }
        byte[] raw = new byte[Math.multiplyExact(Math.multiplyExact(r, c), Double.BYTES)];
        in.readFully(raw);
        double[] values = new double[r * c];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(values);
        return Nd4j.create(values, new long[] {r, c}, order);
    }

    /** G and R are updated in place by GEMM, which needs them column-major (see the learner). */
    private static INDArray columnMajor(INDArray m) {
        return m.ordering() == 'f' ? m : m.dup('f');
    }
}
