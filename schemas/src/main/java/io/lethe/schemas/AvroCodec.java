package io.lethe.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro single-object encoding (2-byte marker, 8-byte schema fingerprint, binary body) for one
 * generated record type: no registry server is needed, and a record of an unknown schema is
 * recognised by its fingerprint and refused with a clear message.
 */
public final class AvroCodec<T extends SpecificRecordBase> {

    static {
        trustGeneratedClasses();
    }

    public static final AvroCodec<TrainingExample> TRAINING_EXAMPLE =
            new AvroCodec<>("TrainingExample", TrainingExample.getClassSchema(), TrainingExample.getDecoder());
    public static final AvroCodec<ErasureRequest> ERASURE_REQUEST =
            new AvroCodec<>("ErasureRequest", ErasureRequest.getClassSchema(), ErasureRequest.getDecoder());
    public static final AvroCodec<LearnerCommand> LEARNER_COMMAND =
            new AvroCodec<>("LearnerCommand", LearnerCommand.getClassSchema(), LearnerCommand.getDecoder());
    public static final AvroCodec<ModelVersion> MODEL_VERSION =
            new AvroCodec<>("ModelVersion", ModelVersion.getClassSchema(), ModelVersion.getDecoder());
    public static final AvroCodec<ErasureReceipt> ERASURE_RECEIPT =
            new AvroCodec<>("ErasureReceipt", ErasureReceipt.getClassSchema(), ErasureReceipt.getDecoder());
    public static final AvroCodec<EvaluationReport> EVALUATION_REPORT =
            new AvroCodec<>("EvaluationReport", EvaluationReport.getClassSchema(), EvaluationReport.getDecoder());
    public static final AvroCodec<DeadLetter> DEAD_LETTER =
            new AvroCodec<>("DeadLetter", DeadLetter.getClassSchema(), DeadLetter.getDecoder());

    private final String name;
    /** The single-object header: marker C3 01, then the schema's CRC-64-AVRO fingerprint, little-endian. */
    private final byte[] header;
    private final SpecificDatumWriter<T> writer;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(String name, Schema schema, BinaryMessageDecoder<T> decoder) {
        this.name = name;
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.header = new byte[10];
        header[0] = (byte) 0xC3;
        header[1] = (byte) 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        this.writer = new SpecificDatumWriter<>(schema, org.apache.avro.specific.SpecificData.getForSchema(schema));
        this.decoder = decoder;
    }

    /**
     * Avro 1.12 refuses to instantiate classes outside a trusted list when decoding; Lethe's
     * generated classes are added to whatever policy is in force, once, here.
     */
    public static synchronized void trustGeneratedClasses() {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current,
                type -> type.getName().startsWith("io.lethe.schemas.")));
    }

    /**
     * The header, then the binary body: the bytes Avro's own {@code BinaryMessageEncoder} writes
     * (a test compares them), without the thread-local buffers it looks up per record, which showed
     * in the stream thread's profile (its thread-local map is crowded by the clients and ND4J).
     */
    public byte[] encode(T value) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(header);
            BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(value, body);
            body.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new AvroCodecException("cannot encode " + name + ": " + e.getMessage(), e);
        }
    }

    /** Decodes, or throws {@link AvroCodecException} saying what is wrong with the bytes. */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw new AvroCodecException(name + ": null payload", null);
        }
        try {
            return decoder.decode(bytes);
        } catch (org.apache.avro.message.MissingSchemaException e) {
            throw new AvroCodecException(name + ": unknown schema fingerprint (" + e.getMessage() + ")", e);
        } catch (org.apache.avro.message.BadHeaderException e) {
            throw new AvroCodecException(name + ": not Avro single-object encoding (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new AvroCodecException(name + ": malformed Avro body (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
    }

    /** Thrown for bytes that are not a valid record of the expected schema. */
    public static final class AvroCodecException extends RuntimeException {
        public AvroCodecException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
