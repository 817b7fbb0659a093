package io.lethe.tools.bench;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ModelVersion;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** What the benches wait for on Lethe's output topics, polling often enough not to add to what they time. */
final class StreamWaits {

    private StreamWaits() {
    }

    /** Until a version of the model (null: any model) has learned {@code target} examples. */
    static void awaitLearned(KafkaConsumer<String, byte[]> versions, String model, long target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(20))) {
                if (r.value() == null) {
                    continue; // a revoked version's entry
                }
                ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                if ((model == null || v.getModelName().equals(model)) && v.getLineage().getExamplesLearned() >= target) {
                    return;
                }
            }
        }
        throw new IllegalStateException("the model did not learn " + target + " examples within " + timeout);
    }

    /** The model's (null: any model's) receipt for the request. */
    static ErasureReceipt awaitReceipt(KafkaConsumer<String, byte[]> receipts, String model, String requestId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : receipts.poll(Duration.ofMillis(2))) {
                ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(r.value());
                if (receipt.getRequestId().equals(requestId) && (model == null || receipt.getModelName().equals(model))) {
                    return receipt;
                }
            }
        }
        throw new IllegalStateException("no receipt for " + requestId + " within " + timeout);
    }
}
