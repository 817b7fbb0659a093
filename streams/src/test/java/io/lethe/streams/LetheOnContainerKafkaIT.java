package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.analytic.RidgeSolver;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same learn-and-erase path against a Kafka broker in a container, where a Docker engine
 * exists; skipped cleanly without one (the in-process broker of {@link LetheApplicationIT} covers
 * those machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class LetheOnContainerKafkaIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.0.0");

    @TempDir
    Path dir;

    @Test
    void learnsAndErasesExactlyOnAContainerBroker() throws Exception {
        LetheConfig config = TestData.config(dir, "bootstrap.servers", KAFKA.getBootstrapServers(),
                "lethe.application.id", "lethe-tc-" + UUID.randomUUID().toString().substring(0, 8),
                "lethe.publish.idle.ms", "300");
        List<TrainingExample> data = new ArrayList<>(TestData.examples(11, 0, 80, 8));
        try (LetheApplication app = LetheApplication.start(config);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(KAFKA.getBootstrapServers(), LetheTopics.ERASURE_RECEIPTS);
             KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(KAFKA.getBootstrapServers(), LetheTopics.MODEL_VERSIONS)) {
            for (TrainingExample e : data) {
                producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
            }
            producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-1", AvroCodec.ERASURE_REQUEST.encode(
                    TestData.erasure("tc-1", ErasureScope.SUBJECT, "subject-1", List.of(), null, null))));
            producer.flush();
            ErasureReceipt receipt = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (receipt == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : receipts.poll(Duration.ofMillis(200))) {
                    receipt = AvroCodec.ERASURE_RECEIPT.decode(r.value());
                }
            }
            assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
            data.removeIf(e -> e.getSubjectId().equals("subject-1"));
            ModelVersion version = null;
            while (version == null || version.getVersion() != receipt.getModelVersion()) {
                for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        version = AvroCodec.MODEL_VERSION.decode(r.value());
                    }
                }
            }
            RidgeModel model = new CheckpointStore(config.modelStoreDir())
                    .read(URI.create(version.getCheckpointUri()), version.getSha256(), RidgeModel.class);
            RidgeModel direct = TestData.directSolve(config, data, model.classes());
            assertTrue(RidgeSolver.relativeFrobenius(model.weights(), direct.weights()) < 1e-6);
        }
    }

}
