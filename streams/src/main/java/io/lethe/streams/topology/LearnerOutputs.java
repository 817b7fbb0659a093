package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.EvaluationReport;
import io.lethe.schemas.ModelVersion;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** The learner's four outputs, each to its sink: versions, receipts, evaluations and dead letters. */
final class LearnerOutputs {

    private final ProcessorContext<String, byte[]> context;
    private final String modelName;

    LearnerOutputs(ProcessorContext<String, byte[]> context, String modelName) {
        this.context = context;
        this.modelName = modelName;
    }

    void version(ModelVersion version) {
        context.forward(new Record<>(LetheTopics.modelVersionKey(modelName, version.getVersion()),
                AvroCodec.MODEL_VERSION.encode(version),
                version.getCreatedAt().toEpochMilli()), ModelLearnerProcessor.TO_MODEL_VERSIONS);
    }

    void receipt(ErasureReceipt receipt) {
        context.forward(new Record<>(receipt.getRequestId(), AvroCodec.ERASURE_RECEIPT.encode(receipt),
                receipt.getCompletedAt().toEpochMilli()), ModelLearnerProcessor.TO_RECEIPTS);
    }

    /** Sends the report, if there is one. */
    void evaluation(EvaluationReport report) {
        if (report != null) {
            context.forward(new Record<>(modelName, AvroCodec.EVALUATION_REPORT.encode(report), System.currentTimeMillis()),
                    ModelLearnerProcessor.TO_EVALUATIONS);
        }
    }

    void deadLetter(Record<String, byte[]> record, String reason, String errorClass) {
        context.forward(record.withValue(DeadLetters.of(context.recordMetadata().orElse(null), record.key(), record.value(),
                reason, errorClass, System.currentTimeMillis())), ModelLearnerProcessor.TO_DEAD_LETTERS);
    }
}
