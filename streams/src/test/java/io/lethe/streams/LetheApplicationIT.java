package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.analytic.RidgeSolver;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.DeadLetter;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import io.lethe.broker.EmbeddedKafkaBroker;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lethe against a real Kafka broker (KRaft, in-process): learning, exact erasure with receipts,
 * tombstones in the changelog, dead letters, and restarts that neither double-learn nor lose an
 * erasure.
 */
class LetheApplicationIT {

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

    private LetheConfig config(String appId) {
        return TestData.config(dir, "bootstrap.servers", broker.bootstrapServers(), "lethe.application.id", appId,
                "lethe.learn.batch.size", "16", "lethe.publish.every.examples", "100000",
                "lethe.snapshot.every.examples", "60", "lethe.publish.idle.ms", "300", "lethe.model.name", "it-model",
                "lethe.commit.interval.ms", "50");
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }


    private static <T> T await(KafkaConsumer<String, byte[]> consumer, java.util.function.Function<byte[], T> decode,
                               Predicate<T> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.value() == null) {
                    continue; // a revoked version's entry
                }
                T value = decode.apply(r.value());
                if (wanted.test(value)) {
                    return value;
                }
            }
        }
        throw new AssertionError("nothing matching arrived within " + timeout);
    }

    private static void send(KafkaProducer<String, byte[]> producer, List<TrainingExample> examples) throws Exception {
        for (TrainingExample e : examples) {
            producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
        }
        producer.flush();
    }

    private double distance(LetheConfig config, ModelVersion version, List<TrainingExample> retained) throws Exception {
        RidgeModel model = new CheckpointStore(config.modelStoreDir())
                .read(URI.create(version.getCheckpointUri()), version.getSha256(), RidgeModel.class);
        RidgeModel direct = TestData.directSolve(config, retained, model.classes());
        return RidgeSolver.relativeFrobenius(model.weights(), direct.weights());
    }

    @Test
    void learnsErasesExactlyAndSurvivesRestartsWithoutDoubleLearning() throws Exception {
        LetheConfig config = config("lethe-it-" + UUID.randomUUID().toString().substring(0, 8));
        List<TrainingExample> all = new ArrayList<>(TestData.examples(7, 0, 150, 10));
        try (KafkaProducer<String, byte[]> producer = producer();
             KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(broker.bootstrapServers(), LetheTopics.MODEL_VERSIONS);
             KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(broker.bootstrapServers(), LetheTopics.ERASURE_RECEIPTS);
             KafkaConsumer<String, byte[]> deadLetters = TestClients.committedConsumer(broker.bootstrapServers(), LetheTopics.DEAD_LETTERS)) {

            LetheApplication app = LetheApplication.start(config);
            producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, "subject-x", new byte[] {9, 9, 9})).get();
            send(producer, all);
            ModelVersion learned = await(versions, AvroCodec.MODEL_VERSION::decode,
                    v -> v.getLineage().getExamplesRetained() == 150, Duration.ofSeconds(60));
            assertTrue(distance(config, learned, all) < 1e-6);
            DeadLetter letter = await(deadLetters, AvroCodec.DEAD_LETTER::decode, d -> true, Duration.ofSeconds(30));
            assertTrue(letter.getReason().contains("single-object"), letter.getReason());

            // Erase a subject: one receipt, naming a version that equals ridge without the subject.
            producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-2", AvroCodec.ERASURE_REQUEST.encode(
                    TestData.erasure("erase-2", ErasureScope.SUBJECT, "subject-2", List.of(), null, null)))).get();
            ErasureReceipt receipt = await(receipts, AvroCodec.ERASURE_RECEIPT::decode,
                    r -> r.getRequestId().equals("erase-2"), Duration.ofSeconds(60));
            assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
            assertEquals(15, receipt.getExamplesRemoved());
            all.removeIf(e -> e.getSubjectId().equals("subject-2"));
            ModelVersion erased = await(versions, AvroCodec.MODEL_VERSION::decode,
                    v -> v.getVersion() == receipt.getModelVersion(), Duration.ofSeconds(30));
            assertTrue(distance(config, erased, all) < 1e-6, "erased checkpoint equals the solve without the subject");

            // The retained-examples changelog holds tombstones for every erased example.
            String changelog = config.applicationId() + "-retained-examples-changelog";
            Map<String, Boolean> lastIsTombstone = new HashMap<>();
            try (KafkaConsumer<String, byte[]> log = TestClients.committedConsumer(broker.bootstrapServers(), changelog)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline
                        && lastIsTombstone.keySet().stream().filter(k -> k.startsWith(TestData.ref("subject-2") + "\u0000")).count() < 15) {
                    for (ConsumerRecord<String, byte[]> r : log.poll(Duration.ofMillis(200))) {
                        lastIsTombstone.put(r.key(), r.value() == null);
                    }
                }
            }
            List<String> subjectTwo = lastIsTombstone.keySet().stream().filter(k -> k.startsWith(TestData.ref("subject-2") + "\u0000")).toList();
            assertEquals(15, subjectTwo.size());
            assertTrue(subjectTwo.stream().allMatch(lastIsTombstone::get), "every erased example ends in a tombstone");
            assertFalse(lastIsTombstone.entrySet().stream()
                    .anyMatch(e -> !e.getKey().startsWith(TestData.ref("subject-2") + "\u0000") && e.getValue()));

            // Restart with local state (snapshot + journal): no double learning.
            app.stop();
            app = LetheApplication.start(config);
            // New data after the erasure (later event times): subject-2 may contribute again.
            List<TrainingExample> more = TestData.withEventTime(TestData.examples(8, 150, 40, 10),
                    java.time.Instant.now().plusSeconds(1));
            send(producer, more);
            all.addAll(more);
            ModelVersion afterRestart = await(versions, AvroCodec.MODEL_VERSION::decode,
                    v -> v.getLineage().getExamplesRetained() == all.size(), Duration.ofSeconds(60));
            assertTrue(distance(config, afterRestart, all) < 1e-6, "restart did not double-learn or lose an erasure");

            // Restart on a new machine: local state wiped, restored from the changelogs.
            app.stop();
            try (Stream<Path> files = Files.walk(dir.resolve("state"))) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            app = LetheApplication.start(config);
            producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-5", AvroCodec.ERASURE_REQUEST.encode(
                    TestData.erasure("erase-5", ErasureScope.SUBJECT, "subject-5", List.of(), null, null)))).get();
            ErasureReceipt second = await(receipts, AvroCodec.ERASURE_RECEIPT::decode,
                    r -> r.getRequestId().equals("erase-5"), Duration.ofSeconds(60));
            all.removeIf(e -> e.getSubjectId().equals("subject-5"));
            ModelVersion rebuilt = await(versions, AvroCodec.MODEL_VERSION::decode,
                    v -> v.getVersion() == second.getModelVersion(), Duration.ofSeconds(30));
            assertEquals(all.size(), rebuilt.getLineage().getExamplesRetained());
            assertTrue(distance(config, rebuilt, all) < 1e-6, "rebuilt from the changelog, still exact");
            app.stop();
        }
    }
}
