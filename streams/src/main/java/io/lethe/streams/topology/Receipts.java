package io.lethe.streams.topology;

import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.ReceiptStatus;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The erasure receipts Lethe sends: one per request, REJECTED by the validator, COMPLETED or
 * NOTHING_TO_ERASE by the learner. One builder, so every receipt names its request, model and
 * timing the same way.
 */
final class Receipts {

    private Receipts() {
    }

    /** A request the validator refused; null when it has no id to name the receipt by. */
    static ErasureReceipt rejected(ErasureRequest request, String modelName, String problem, long now) {
        if (request.getRequestId() == null || request.getRequestId().isBlank()) {
            return null; // Nothing to name the receipt by; the dead letter keeps the request.
        }
        return base(request, modelName, ReceiptStatus.REJECTED, null, 0, now)
                .setVerificationMethod("none")
                .setVerificationResidual(null)
                .setMessage("rejected: " + problem)
                .build();
    }

    /**
     * A request the learner answered: what it removed, the version that no longer contains it, and
     * how the unlearning was verified.
     */
    static ErasureReceipt answered(ErasureRequest request, String modelName, long version, long removed,
                                   LearningEngine.Verification verification, long processedMs, long unlearnMs,
                                   Map<String, Double> extraMetrics, long now,
                                   java.util.List<io.lethe.schemas.CopyAttestation> copies) {
        Map<String, Double> metrics = new TreeMap<>();
        if (removed > 0) {
            metrics.putAll(verification.metrics());
            metrics.putAll(extraMetrics);
        }
        return base(request, modelName, removed == 0 ? ReceiptStatus.NOTHING_TO_ERASE : ReceiptStatus.COMPLETED,
                version == 0 ? null : version, removed, now)
                .setVerificationMethod(verification.method())
                .setVerificationResidual(verification.residual())
                .setMetrics(metrics)
                .setCopies(copies)
                .setMessage((removed == 0 ? "no retained example matched " + request.getScope() : verification.description())
                        + "; learner time " + processedMs + " ms (unlearning " + unlearnMs + " ms, publication "
                        + (processedMs - unlearnMs) + " ms)")
                .build();
    }

    private static ErasureReceipt.Builder base(ErasureRequest request, String modelName, ReceiptStatus status,
                                               Long version, long removed, long now) {
        return ErasureReceipt.newBuilder()
                .setRequestId(request.getRequestId())
                .setStatus(status)
                .setModelName(modelName)
                .setModelVersion(version)
                .setExamplesRemoved(removed)
                .setRequestedAt(request.getRequestedAt())
                .setCompletedAt(Instant.ofEpochMilli(now))
                .setLatencyMs(now - request.getRequestedAt().toEpochMilli());
    }
}
