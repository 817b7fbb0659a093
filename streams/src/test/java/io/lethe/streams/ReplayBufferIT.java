package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import io.lethe.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gradient learner's replay buffer against a real broker (KRaft, in-process): the buffer is a
 * changelogged store that stays within its capacity, and erasing a subject leaves a tombstone in
 * the changelog for every one of the subject's buffered examples.
 */
class ReplayBufferIT {

    private static final int CAPACITY = 40;
    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.startTemporary();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** Reads the changelog until it has been quiet for a while; key -> latest value (null = tombstone). */
    private static Map<String, byte[]> drain(KafkaConsumer<String, byte[]> log, Map<String, byte[]> state) {
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
            for (ConsumerRecord<String, byte[]> r : log.poll(Duration.ofMillis(200))) {
                state.put(r.key(), r.value());
                quietSince = System.nanoTime();
            }
        }
        return state;
    }

    private static long live(Map<String, byte[]> state) {
        return state.values().stream().filter(v -> v != null).count();
    }

    @Test
    void theBufferIsBoundedAndAnErasedSubjectLeavesOnlyTombstones() throws Exception {
        String appId = "lethe-replay-it-" + UUID.randomUUID().toString().substring(0, 8);
        LetheConfig config = TestData.config(dir, "bootstrap.servers", broker.bootstrapServers(),
                "lethe.application.id", appId, "lethe.learner", "mlp", "lethe.mlp.hidden", "16",
                "lethe.mlp.batch.size", "8", "lethe.replay.capacity", Integer.toString(CAPACITY),
                "lethe.rehearsal.budget", "8", "lethe.publish.every.examples", "100000", "lethe.publish.idle.ms", "300",
                "lethe.model.name", "replay-it", "lethe.commit.interval.ms", "50",
                // The approximate path, whose buffer keeps what the erasure left (retraining refills it).
                "lethe.unlearning.guard", "false");
        List<TrainingExample> data = TestData.examples(11, 0, 200, 10);
        try (KafkaProducer<String, byte[]> producer = TestClients.producer(broker.bootstrapServers());
             KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(broker.bootstrapServers(), LetheTopics.MODEL_VERSIONS);
             KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(broker.bootstrapServers(), LetheTopics.ERASURE_RECEIPTS);
             KafkaConsumer<String, byte[]> changelog = TestClients.committedConsumer(broker.bootstrapServers(),
                     appId + "-replay-buffer-changelog");
             LetheApplication first = LetheApplication.start(config)) {
            LetheApplication app = first;
            for (TrainingExample e : data) {
                producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
            }
            producer.flush();
            awaitVersion(versions, v -> v.getLineage().getExamplesRetained() == 200);

            Map<String, byte[]> state = drain(changelog, new HashMap<>());
            assertEquals(CAPACITY, live(state), "the committed buffer holds exactly its capacity");
            assertTrue(state.size() > CAPACITY, "evictions were written as tombstones too");
            String ref = state.entrySet().stream().filter(e -> e.getValue() != null).findFirst().orElseThrow()
                    .getKey().split("\u0000")[0];
            // The stores know subjects by reference only: find the id it stands for.
            String subject = data.stream().map(TrainingExample::getSubjectId).distinct()
                    .filter(s -> TestData.ref(s).equals(ref)).findFirst().orElseThrow();
            assertTrue(state.keySet().stream().noneMatch(k -> k.contains("subject-")), "no subject id in the store keys");
            long buffered = state.entrySet().stream()
                    .filter(e -> e.getValue() != null && e.getKey().startsWith(ref + "\u0000")).count();
            assertTrue(buffered > 0);

            producer.send(new ProducerRecord<>(LetheTopics.ERASURES, subject, AvroCodec.ERASURE_REQUEST.encode(
                    TestData.erasure("erase-" + subject, ErasureScope.SUBJECT, subject, List.of(), null, null)))).get();
            ErasureReceipt receipt = awaitReceipt(receipts, "erase-" + subject);
            assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
            assertEquals(20, receipt.getExamplesRemoved());
            assertTrue(receipt.getMessage().contains(buffered + " of them from the replay buffer"), receipt.getMessage());

            drain(changelog, state);
            assertFalse(state.entrySet().stream().anyMatch(e -> e.getKey().startsWith(ref + "\u0000") && e.getValue() != null),
                    "every buffered example of the erased subject ends in a tombstone");
            assertEquals(CAPACITY - buffered, live(state));

            // A new machine: local state wiped; the buffer comes back from its changelog, the network is
            // retrained from the retained examples, and learning goes on without double counting.
            app.stop();
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir.resolve("state"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            try (LetheApplication restarted = LetheApplication.start(config)) {
                for (TrainingExample e : TestData.withEventTime(TestData.examples(12, 200, 40, 10),
                        java.time.Instant.now().plusSeconds(1))) {
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(),
                            AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                awaitVersion(versions, v -> v.getLineage().getExamplesRetained() == 180 + 40);
                drain(changelog, state);
                assertTrue(live(state) <= CAPACITY, "still within capacity after the restart");
                assertTrue(live(state) > CAPACITY - buffered, "new examples refill the buffer");
            }
        }
    }

    private static void awaitVersion(KafkaConsumer<String, byte[]> versions, java.util.function.Predicate<ModelVersion> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(200))) {
                if (r.value() != null && wanted.test(AvroCodec.MODEL_VERSION.decode(r.value()))) {
                    return;
                }
            }
        }
        throw new AssertionError("no matching model version within 90 s");
    }

    private static ErasureReceipt awaitReceipt(KafkaConsumer<String, byte[]> receipts, String requestId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : receipts.poll(Duration.ofMillis(200))) {
                ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(r.value());
                if (receipt.getRequestId().equals(requestId)) {
                    return receipt;
                }
            }
        }
        throw new AssertionError("no receipt for " + requestId + " within 60 s");
    }
}
