package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.LearnerCommand;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Per input partition: decodes examples and erasure requests, rejects what the learner cannot use
 * (to the dead-letter topic, with the reason; a rejected erasure also gets a REJECTED receipt) and
 * forwards the rest, with where it was read, to the model's single learner.
 */
public final class RecordValidator implements Processor<String, byte[], String, byte[]> {

    public static final String TO_LEARNER = "validator-to-learner";
    public static final String TO_DEAD_LETTERS = "validator-to-dead-letters";
    public static final String TO_RECEIPTS = "validator-to-receipts";

    private final LetheConfig config;
    private ProcessorContext<String, byte[]> context;

    public RecordValidator(LetheConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElse(null);
        String topic = source == null ? "" : source.topic();
        byte[] value = record.value();
        if (LetheTopics.isSegmentRoll(record.key(), value)) {
            return; // the purger's marker, not input
        }
        if (value == null) {
            reject(record, source, "null value (tombstone) on an input topic", "EmptyRecord");
            return;
        }
        if (value.length > config.maxRecordBytes()) {
            reject(record, source, "oversized record: " + value.length + " bytes > lethe.max.record.bytes "
                    + config.maxRecordBytes(), "OversizedRecord");
            return;
        }
        try {
            Object command;
            if (LetheTopics.ERASURES.equals(topic)) {
                ErasureRequest request = AvroCodec.ERASURE_REQUEST.decode(value);
                String problem = checkErasure(request, config);
                if (problem != null) {
                    reject(record, source, problem, "InvalidErasureRequest");
                    receiptForRejected(request, problem);
                    return;
                }
                command = request;
            } else {
                TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(value);
                String problem = checkExample(example, record.key(), config);
                if (problem != null) {
                    reject(record, source, problem, "InvalidTrainingExample");
                    return;
                }
                command = example;
            }
            LearnerCommand out = LearnerCommand.newBuilder()
                    .setSource(new SourcePosition(topic, source == null ? -1 : source.partition(),
                            source == null ? -1 : source.offset()))
                    .setReceivedAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                    .setCommand(command)
                    .build();
            context.forward(record.withKey(config.modelName()).withValue(AvroCodec.LEARNER_COMMAND.encode(out)), TO_LEARNER);
            if (command instanceof ErasureRequest) {
                // Erasures should not wait for the commit interval (which is tuned for learning
                // throughput): ask for a commit, so the request reaches the learner at once.
                context.commit();
            }
        } catch (AvroCodec.AvroCodecException e) {
            reject(record, source, e.getMessage(), "MalformedAvro");
        }
    }

    /** Why the example cannot be learned, or null when it can. */
    public static String checkExample(TrainingExample example, String key, LetheConfig config) {
        if (example.getExampleId() == null || example.getExampleId().isBlank()) {
            return "example_id is empty";
        }
        if (example.getSubjectId() == null || example.getSubjectId().isBlank()) {
            return "subject_id is empty";
        }
        if (key != null && !key.equals(example.getSubjectId())) {
            return "record key '" + key + "' is not the subject id '" + example.getSubjectId()
                    + "' (examples are keyed by subject so that erasures meet them in order)";
        }
        if (example.getLabel() < 0 || example.getLabel() >= config.maxClasses()) {
            return "unknown label " + example.getLabel() + ": labels must lie in [0, " + config.maxClasses() + ")";
        }
        int expected = config.featureMap().inputDim();
        if (example.getPixels() != null) {
            int length = example.getPixels().remaining();
            if (length != expected) {
                return "wrong input dimension: " + length + " pixels, expected " + expected;
            }
        } else if (example.getFeatures() != null) {
            List<Float> features = example.getFeatures();
            if (features.size() != expected) {
                return "wrong input dimension: " + features.size() + " features, expected " + expected;
            }
            for (int i = 0; i < features.size(); i++) {
                float v = features.get(i);
                if (Float.isNaN(v) || Float.isInfinite(v)) {
                    return "non-finite feature value " + v + " at index " + i;
                }
            }
        } else {
            return "example has neither pixels nor features";
        }
        return null;
    }

    /** Why the request cannot be carried out, or null when it can. */
    public static String checkErasure(ErasureRequest request, LetheConfig config) {
        if (request.getRequestId() == null || request.getRequestId().isBlank()) {
            return "request_id is empty";
        }
        return switch (request.getScope()) {
            case SUBJECT -> request.getSubjectId() == null || request.getSubjectId().isBlank()
                    ? "SUBJECT scope needs subject_id" : null;
            case EXAMPLES -> request.getExampleIds() == null || request.getExampleIds().isEmpty()
                    ? "EXAMPLES scope needs at least one example id" : null;
            case CLASS -> request.getClassLabel() == null ? "CLASS scope needs class_label"
                    : request.getClassLabel() < 0 || request.getClassLabel() >= config.maxClasses()
                    ? "CLASS scope names unknown label " + request.getClassLabel() : null;
            case TASK -> request.getTask() == null ? "TASK scope needs task" : null;
            default -> "unknown erasure scope " + request.getScope();
        };
    }

    private void reject(Record<String, byte[]> record, RecordMetadata source, String reason, String errorClass) {
        long now = System.currentTimeMillis();
        context.forward(record.withValue(DeadLetters.of(source, record.key(), record.value(), reason, errorClass, now)),
                TO_DEAD_LETTERS);
    }

    private void receiptForRejected(ErasureRequest request, String problem) {
        long now = System.currentTimeMillis();
        ErasureReceipt receipt = Receipts.rejected(request, config.modelName(), problem, now);
        if (receipt != null) {
            context.forward(new Record<>(request.getRequestId(), AvroCodec.ERASURE_RECEIPT.encode(receipt), now), TO_RECEIPTS);
        }
    }
}
