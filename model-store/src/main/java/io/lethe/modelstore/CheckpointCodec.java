package io.lethe.modelstore;

import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Binary layout of a checkpoint: what prediction needs (the feature map's spec, not its weights;
 * the class labels and which are live; the head), never the learner's working state.
 */
public final class CheckpointCodec {

    private static final int MAGIC = 0x4c455448; // "LETH"
    private static final int FORMAT_VERSION = 1;

    private CheckpointCodec() {
    }

    public static byte[] encode(RidgeModel model) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT_VERSION);
            FeatureMapSpec spec = model.featureMap();
            out.writeUTF(spec.kind());
            out.writeInt(spec.inputDim());
            out.writeInt(spec.imageSide());
            out.writeInt(spec.features());
            out.writeInt(spec.filters());
            out.writeInt(spec.kernel());
            out.writeInt(spec.pool());
            out.writeLong(spec.seed());
            int[] classes = model.classes();
            boolean[] active = model.active();
            out.writeInt(classes.length);
            for (int c = 0; c < classes.length; c++) {
                out.writeInt(classes[c]);
                out.writeBoolean(active[c]);
            }
            Nd4j.write(model.weights(), out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
    }

    public static RidgeModel decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Lethe checkpoint (bad magic)");
        }
        int format = in.readInt();
        if (format != FORMAT_VERSION) {
            throw new IOException("unsupported checkpoint format " + format + " (this reader knows " + FORMAT_VERSION + ")");
        }
        FeatureMapSpec spec = new FeatureMapSpec(in.readUTF(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                in.readInt(), in.readInt(), in.readLong());
        int count = in.readInt();
        int[] classes = new int[count];
        boolean[] active = new boolean[count];
        for (int c = 0; c < count; c++) {
            classes[c] = in.readInt();
            active[c] = in.readBoolean();
        }
        INDArray weights = Nd4j.read(in);
        return new RidgeModel(spec, classes, active, weights);
    }
}
