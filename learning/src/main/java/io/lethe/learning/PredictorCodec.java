package io.lethe.learning;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ServiceLoader;

/**
 * Writes and reads one kind of {@link Predictor} as a checkpoint payload. The model store frames
 * payloads in its envelope and finds the codec by kind, so it never needs to know a learner class;
 * codecs are registered as services ({@code META-INF/services/io.lethe.learning.PredictorCodec}).
 */
public interface PredictorCodec {

    /** The kind this codec reads and writes (the envelope names it). */
    String kind();

    void write(Predictor predictor, DataOutputStream out) throws IOException;

    Predictor read(DataInputStream in) throws IOException;

    /** The magic number of this kind's bare first-release checkpoints (0: there were none). */
    default int releaseOneMagic() {
        return 0;
    }

    /** Reads a bare first-release checkpoint, positioned just after its magic number. */
    default Predictor readReleaseOne(DataInputStream in) throws IOException {
        throw new IOException("the " + kind() + " kind had no first-release checkpoints");
    }

    /** The registered codec whose first-release checkpoints start with this magic number, if any. */
    static java.util.Optional<PredictorCodec> forReleaseOneMagic(int magic) {
        for (PredictorCodec codec : ServiceLoader.load(PredictorCodec.class, PredictorCodec.class.getClassLoader())) {
            if (magic != 0 && codec.releaseOneMagic() == magic) {
                return java.util.Optional.of(codec);
            }
        }
        return java.util.Optional.empty();
    }

    /** The registered codec of a kind. */
    static PredictorCodec forKind(String kind) throws IOException {
        for (PredictorCodec codec : ServiceLoader.load(PredictorCodec.class, PredictorCodec.class.getClassLoader())) {
            if (codec.kind().equals(kind)) {
                return codec;
            }
        }
        throw new IOException("no predictor codec for checkpoint kind '" + kind + "'");
    }
}
