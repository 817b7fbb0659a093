package io.lethe.modelstore;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.learning.Predictor;
import io.lethe.learning.PredictorCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The one checkpoint format for every kind of model: a header (magic, format version, payload kind,
 * the version's {@link Provenance} as JSON), then a payload that the kind's {@link PredictorCodec}
 * writes and reads. The store needs no learner class: a new kind of model brings its codec.
 *
 * <p>The first release wrote bare payloads: a ridge head after "LETH", format 1, and a network
 * learner's raw state after "LEM1". Both still load (without provenance: their manifests carry it).
 */
public final class CheckpointEnvelope {

    /** "LCK2". */
    static final int MAGIC = 0x4c434b32;
    static final int FORMAT_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointEnvelope() {
    }

    /** A checkpoint's content, as read. */
    public record Contents(Provenance provenance, Predictor predictor) {
    }

    public static byte[] encode(Provenance provenance, Predictor predictor) throws IOException {
        PredictorCodec codec = PredictorCodec.forKind(predictor.kind());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeUTF(predictor.kind());
        byte[] header = JSON.writeValueAsBytes(provenance);
        out.writeInt(header.length);
        out.write(header);
        codec.write(predictor, out);
        out.flush();
        return bytes.toByteArray();
    }

    public static Contents decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int magic = in.readInt();
        if (magic != MAGIC) {
            var releaseOne = PredictorCodec.forReleaseOneMagic(magic);
            if (releaseOne.isEmpty()) {
                throw new IOException("not a Lethe checkpoint (bad magic " + Integer.toHexString(magic) + ")");
            }
            return new Contents(null, releaseOne.get().readReleaseOne(in));
        }
        int format = in.readInt();
        if (format != FORMAT_VERSION) {
            throw new IOException("unsupported checkpoint format " + format + " (this reader knows " + FORMAT_VERSION + ")");
        }
        String kind = in.readUTF();
        int headerLength = in.readInt();
        if (headerLength < 0 || headerLength > bytes.length) {
            throw new IOException("corrupt checkpoint header (" + headerLength + " bytes)");
        }
        byte[] header = new byte[headerLength];
        in.readFully(header);
        Provenance provenance = JSON.readValue(header, Provenance.class);
        return new Contents(provenance, PredictorCodec.forKind(kind).read(in));
    }
}
