package io.lethe.learning.analytic;

import io.lethe.learning.Predictor;
import io.lethe.learning.PredictorCodec;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A ridge head as a checkpoint payload: the feature map's spec (not its weights), the class labels
 * and which are live, and the d x C head. This is also the body of the first release's checkpoints
 * (after their "LETH", format 1 header), so those still load.
 */
public final class RidgeModelCodec implements PredictorCodec {

    @Override
    public String kind() {
        return RidgeModel.KIND;
    }

    /** "LETH": the first release's ridge checkpoints (then a format number, 1, and this payload). */
    @Override
    public int releaseOneMagic() {
        return 0x4c455448;
    }

    @Override
    public RidgeModel readReleaseOne(DataInputStream in) throws IOException {
        int format = in.readInt();
        if (format != 1) {
            throw new IOException("unsupported first-release ridge checkpoint format " + format);
        }
        return read(in);
    }

    @Override
    public void write(Predictor predictor, DataOutputStream out) throws IOException {
        if (!(predictor instanceof RidgeModel model)) {
            throw new IllegalArgumentException("the " + kind() + " codec writes ridge heads, not " + predictor.kind());
        }
        model.featureMap().write(out);
        int[] classes = model.classes();
        boolean[] active = model.active();
        out.writeInt(classes.length);
        for (int c = 0; c < classes.length; c++) {
            out.writeInt(classes[c]);
            out.writeBoolean(active[c]);
        }
        Nd4j.write(model.weights(), out);
        out.flush();
    }

    @Override
    public RidgeModel read(DataInputStream in) throws IOException {
        FeatureMapSpec spec = FeatureMapSpec.read(in);
        int count = in.readInt();
        if (count < 0 || count > 1_000_000) {
            throw new IOException("corrupt ridge checkpoint: " + count + " classes");
        }
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
