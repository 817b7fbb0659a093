package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrong key-encryption key stops Lethe at start with a message that says so, before it reads or
 * writes anything; a missing one against a cluster stops it too; the right key then carries on
 * with nothing lost.
 */
class WrongKeyEncryptionKeyIT {

    @TempDir
    Path dir;

    @Test
    void aWrongKeyStopsTheStartAndTheRightOneCarriesOn() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
             KafkaProducer<String, byte[]> producer = TestClients.producer(broker.bootstrapServers());
             KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(broker.bootstrapServers(),
                     LetheTopics.MODEL_VERSIONS)) {
            String bootstrap = broker.bootstrapServers();
            // The refused client never joined for good, but its member lingers for the session timeout.
            LetheConfig right = TestData.config(dir, "bootstrap.servers", bootstrap, "lethe.application.id", "kek-it",
                    "lethe.publish.idle.ms", "300", "streams.consumer.session.timeout.ms", "6000");
            LetheConfig wrong = TestData.config(dir, "bootstrap.servers", bootstrap, "lethe.application.id", "kek-it",
                    "lethe.kek", Base64.getEncoder().encodeToString(new byte[32]), "streams.consumer.session.timeout.ms", "6000");
            LetheConfig none = TestData.config(dir, "bootstrap.servers", bootstrap, "lethe.application.id", "kek-it",
                    "lethe.kek", "");
            List<TrainingExample> first = TestData.examples(61, 0, 30, 5);
            try (LetheApplication app = LetheApplication.start(right)) {
                send(producer, first);
                awaitRetained(versions, 30);
            }

            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LetheApplication.start(wrong));
            assertTrue(refused.getMessage().contains("is not the one this state was written with"), refused.getMessage());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> LetheApplication.start(none));
            assertTrue(missing.getMessage().contains("no key-encryption key"), missing.getMessage());

            try (LetheApplication app = LetheApplication.start(right)) {
                send(producer, TestData.examples(62, 100, 10, 5));
                assertEquals(40, awaitRetained(versions, 40), "nothing was dropped while the wrong key was refused");
            }
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, List<TrainingExample> examples) {
        for (TrainingExample e : examples) {
            producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
        }
        producer.flush();
    }

    private static long awaitRetained(KafkaConsumer<String, byte[]> versions, long wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long retained = -1;
        while (retained != wanted && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(200))) {
                if (r.value() != null) {
                    ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                    retained = v.getLineage().getExamplesRetained();
                }
            }
        }
        return retained;
    }
}
