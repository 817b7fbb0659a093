package io.lethe.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
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
            new AvroCodec<>("TrainingExample", TrainingExample.getEncoder(), TrainingExample.getDecoder());
    public static final AvroCodec<ErasureRequest> ERASURE_REQUEST =
            new AvroCodec<>("ErasureRequest", ErasureRequest.getEncoder(), ErasureRequest.getDecoder());
    public static final AvroCodec<LearnerCommand> LEARNER_COMMAND =
            new AvroCodec<>("LearnerCommand", LearnerCommand.getEncoder(), LearnerCommand.getDecoder());
    public static final AvroCodec<ModelVersion> MODEL_VERSION =
            new AvroCodec<>("ModelVersion", ModelVersion.getEncoder(), ModelVersion.getDecoder());
    public static final AvroCodec<ErasureReceipt> ERASURE_RECEIPT =
            new AvroCodec<>("ErasureReceipt", ErasureReceipt.getEncoder(), ErasureReceipt.getDecoder());
    public static final AvroCodec<EvaluationReport> EVALUATION_REPORT =
            new AvroCodec<>("EvaluationReport", EvaluationReport.getEncoder(), EvaluationReport.getDecoder());
    public static final AvroCodec<DeadLetter> DEAD_LETTER =
            new AvroCodec<>("DeadLetter", DeadLetter.getEncoder(), DeadLetter.getDecoder());

    private final String name;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(String name, BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder) {
        this.name = name;
        this.encoder = encoder;
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

    public byte[] encode(T value) {
        try {
            ByteBuffer buffer = encoder.encode(value);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
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
