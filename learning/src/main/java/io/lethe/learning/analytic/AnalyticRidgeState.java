package io.lethe.learning.analytic;

import io.lethe.learning.StaleStateException;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The analytic learner's state on disk: a versioned header naming the configuration it belongs to
 * (feature map kind, d, seed, gamma), then the class columns, the retained count and G, R, Q, W. A
 * state of another configuration is refused, and one whose conv features were summed in float64 by
 * an earlier version is stale: its learner must be rebuilt from the retained examples.
 *
 * @param gram G (d x d)
 * @param inverse R = (G + gamma I)^-1 (d x d)
 * @param cross Q (d x C)
 * @param head W (d x C)
 */
record AnalyticRidgeState(ClassColumns columns, long retained, INDArray gram, INDArray inverse, INDArray cross,
                          INDArray head) {

    private static final int MAGIC = 0x4c455232; // "LER2": conv features in float32
    /** Before float32 conv features: its sums hold float64 features, which no erasure could subtract exactly now. */
    private static final int MAGIC_FLOAT64_CONV = 0x4c455231; // "LER1"

    void write(DataOutputStream out, FeatureMapSpec spec, int d, double gamma) throws IOException {
        out.writeInt(MAGIC);
        out.writeUTF(spec.kind());
        out.writeInt(d);
        out.writeLong(spec.seed());
        out.writeDouble(gamma);
        columns.write(out);
        out.writeLong(retained);
        Nd4j.write(gram, out);
        Nd4j.write(inverse, out);
        Nd4j.write(cross, out);
        Nd4j.write(head, out);
        out.flush();
    }

    /** Reads a state written for this configuration ({@code config} describes it in the error otherwise). */
    static AnalyticRidgeState read(DataInputStream in, FeatureMapSpec spec, int d, double gamma, Object config)
            throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC && magic != MAGIC_FLOAT64_CONV) {
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
        INDArray gram = Nd4j.read(in).dup('f');
        INDArray inverse = Nd4j.read(in).dup('f');
        INDArray cross = Nd4j.read(in);
        INDArray head = Nd4j.read(in);
        return new AnalyticRidgeState(columns, retained, gram, inverse, cross, head);
    }
}
