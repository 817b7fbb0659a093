package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.learning.Predictor;
import io.lethe.learning.gradient.ShardedPredictor;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.modelstore.ModelSubscriber;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import io.lethe.streams.topology.ExampleBatches;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SISA against a real broker: a sharded network learns the stream, an erasure retrains only the
 * subject's shard (one receipt, exact), a subscriber receives the ensemble as one predictor, and a
 * restart on the same state puts every shard's buffer back and goes on learning.
 */
class ShardedNetworkIT {

    @TempDir
    Path dir;

    @Test
    void anErasureRetrainsOneShardAndSubscribersGetTheEnsemble() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
             KafkaProducer<String, byte[]> producer = TestClients.producer(broker.bootstrapServers());
             KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(broker.bootstrapServers(),
                     LetheTopics.ERASURE_RECEIPTS)) {
            String bootstrap = broker.bootstrapServers();
            LetheConfig config = TestData.config(dir, "bootstrap.servers", bootstrap, "lethe.application.id", "sisa-it",
                    "lethe.model.name", "sisa", "lethe.learner", "mlp", "lethe.mlp.hidden", "16", "lethe.mlp.batch.size", "4",
                    "lethe.replay.capacity", "20", "lethe.network.shards", "2", "lethe.publish.idle.ms", "300",
                    "lethe.erasure.batch.window.ms", "100");
            List<TrainingExample> examples = TestData.examples(71, 0, 96, 8);
            try (LetheApplication app = LetheApplication.start(config)) {
                send(producer, examples);
                // An erasure may overtake examples still in flight on the other topic (they would then never
                // be learned): the test wants all 12 of the subject's examples erased, so it waits for them all.
                try (KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(bootstrap, LetheTopics.MODEL_VERSIONS)) {
                    long learned = -1;
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (learned < examples.size() && System.nanoTime() < deadline) {
                        for (var r : versions.poll(Duration.ofMillis(200))) {
                            if (r.value() != null) {
                                learned = Math.max(learned, AvroCodec.MODEL_VERSION.decode(r.value()).getLineage().getExamplesLearned());
                            }
                        }
                    }
                    assertEquals(examples.size(), learned, "every example learned before the erasure");
                }
                producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-3", AvroCodec.ERASURE_REQUEST.encode(
                        TestData.erasure("erase-3", ErasureScope.SUBJECT, "subject-3", List.of(), null, null)))).get();
                ErasureReceipt receipt = TestClients.awaitReceipt(receipts, Duration.ofSeconds(60));
                assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus());
                assertEquals(12, receipt.getExamplesRemoved());
                assertEquals("exact-sisa-retrain", receipt.getVerificationMethod());
                assertEquals(1.0, receipt.getMetrics().get("shards_retrained"));

                AtomicReference<Predictor> served = new AtomicReference<>();
                try (ModelSubscriber subscriber = new ModelSubscriber(bootstrap, new CheckpointStore(config.modelStoreDir()),
                        true, "sisa")) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (System.nanoTime() < deadline && (served.get() == null)) {
                        subscriber.pollOnce(Duration.ofMillis(200), (version, predictor) -> {
                            if (version.getVersion() >= receipt.getModelVersion()) {
                                served.set(predictor);
                            }
                        });
                    }
                }
                assertEquals(ShardedPredictor.KIND, served.get().kind(), "subscribers get the ensemble as one predictor");
                assertEquals(2, ((ShardedPredictor) served.get()).shards().size());
                assertEquals(8, served.get().predict(ExampleBatches.of(examples.subList(0, 8), TestData.DIM).inputs()).length);
            }

            // A restart on the same state: the buffers come back into their shards and learning goes on.
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(bootstrap, LetheTopics.MODEL_VERSIONS)) {
                send(producer, TestData.withEventTime(TestData.examples(72, 500, 24, 8), java.time.Instant.now().plusSeconds(1)));
                long retained = -1;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (retained != 96 - 12 + 24 && System.nanoTime() < deadline) {
                    for (var r : versions.poll(Duration.ofMillis(200))) {
                        if (r.value() != null) {
                            ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                            retained = v.getLineage().getExamplesRetained();
                        }
                    }
                }
                assertEquals(96 - 12 + 24, retained, "no example lost or learned twice across the restart");
                assertTrue(app.config().learner().shards() == 2);
            }
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, List<TrainingExample> examples) {
        for (TrainingExample e : examples) {
            producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
        }
        producer.flush();
    }
}
