package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.modelstore.ModelSubscriber;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions published before an erasure contain the erased data: once the version without it is
 * committed, their manifests and checkpoints leave the model store (checked by listing what is
 * really there), and a subscriber that reads the topic from the beginning skips them and serves
 * the version without the erased data.
 */
class CheckpointRevocationIT {

    @TempDir
    Path dir;

    @Test
    void versionsBeforeAnErasureAreRevoked() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String bootstrap = broker.bootstrapServers();
            LetheConfig config = TestData.config(dir, "bootstrap.servers", bootstrap, "lethe.application.id", "revoke-it",
                    "lethe.publish.every.examples", "20", "lethe.publish.idle.ms", "300");
            CheckpointStore store = new CheckpointStore(config.modelStoreDir());
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaProducer<String, byte[]> producer = TestClients.producer(bootstrap);
                 KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(bootstrap, LetheTopics.ERASURE_RECEIPTS)) {
                for (TrainingExample e : TestData.examples(51, 0, 100, 5)) {
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                List<ModelVersion> before = awaitVersions(bootstrap, config.modelName(), 100);
                assertTrue(before.size() >= 5, "one version per 20 examples: " + before.size());
                before.forEach(v -> assertTrue(Files.exists(Path.of(java.net.URI.create(v.getCheckpointUri())))));

                producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-4", AvroCodec.ERASURE_REQUEST.encode(
                        TestData.erasure("erase-4", ErasureScope.SUBJECT, "subject-4", List.of(), null, null)))).get();
                ErasureReceipt receipt = TestClients.awaitReceipt(receipts, Duration.ofSeconds(60));
                long erasedVersion = receipt.getModelVersion();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (app.checkpointsRevokedBelow() < erasedVersion && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertEquals(erasedVersion, app.checkpointsRevokedBelow());

                // What is really left in the store: the erased version's manifest and checkpoint, nothing earlier.
                try (Stream<Path> manifests = Files.list(store.root().resolve("manifests").resolve(config.modelName()))) {
                    List<String> left = manifests.map(p -> p.getFileName().toString()).sorted().toList();
                    assertEquals(List.of(String.format("v%012d.json", erasedVersion)), left);
                }
                for (ModelVersion v : before) {
                    assertFalse(Files.exists(Path.of(java.net.URI.create(v.getCheckpointUri()))), "revoked v" + v.getVersion());
                }
                try (Stream<Path> checkpoints = Files.list(store.root().resolve("checkpoints"))) {
                    assertEquals(1, checkpoints.filter(p -> p.toString().endsWith(".ckpt")).count());
                }

                // A subscriber from the beginning skips the revoked versions and serves the one without the data.
                List<Long> served = new ArrayList<>();
                try (ModelSubscriber subscriber = new ModelSubscriber(bootstrap, store, true, config.modelName())) {
                    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (!served.contains(erasedVersion) && System.nanoTime() < until) {
                        subscriber.pollOnce(Duration.ofMillis(200), (version, predictor) -> served.add(version.getVersion()));
                    }
                }
                assertEquals(List.of(erasedVersion), served);
            }
        }
    }

    /** Every version of the model until one has learned {@code learned} examples. */
    private static List<ModelVersion> awaitVersions(String bootstrap, String model, long learned) {
        List<ModelVersion> versions = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TestClients.committedConsumer(bootstrap, LetheTopics.MODEL_VERSIONS)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && (versions.isEmpty()
                    || versions.get(versions.size() - 1).getLineage().getExamplesLearned() < learned)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue; // a revoked version's entry
                    }
                    ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                    if (v.getModelName().equals(model)) {
                        versions.add(v);
                    }
                }
            }
        }
        return versions;
    }
}
