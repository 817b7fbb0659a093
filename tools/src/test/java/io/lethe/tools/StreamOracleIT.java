package io.lethe.tools;

import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestClients;
import io.lethe.streams.TestData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.tools.oracle.StreamOracle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retrain oracle replays the real topics, skips what the erasures cover, and compares with the live model. */
class StreamOracleIT {

    @TempDir
    Path dir;

    @Test
    void retrainsFromTheStreamWithoutTheErasedExamples() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            LetheConfig config = TestData.config(dir, "bootstrap.servers", broker.bootstrapServers(), "lethe.purge.inputs", "false",
                    "lethe.application.id", "lethe-oracle-it-" + UUID.randomUUID().toString().substring(0, 8),
                    "lethe.learner", "mlp", "lethe.mlp.hidden", "32", "lethe.mlp.batch.size", "8", "lethe.mlp.learning.rate", "0.2",
                    "lethe.replay.capacity", "30", "lethe.publish.idle.ms", "300", "lethe.erasure.batch.window.ms", "100",
                    "lethe.holdout.percent", "10");
            List<TrainingExample> data = TestData.examples(21, 0, 160, 8);
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaProducer<String, byte[]> producer = TestClients.producer(broker.bootstrapServers());
                 KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(broker.bootstrapServers(),
                         LetheTopics.ERASURE_RECEIPTS)) {
                for (TrainingExample e : data) {
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, data.get(5).getSubjectId(),
                        AvroCodec.TRAINING_EXAMPLE.encode(data.get(5)))); // a re-delivery
                producer.flush();
                // Examples and erasures are different topics, so a request may overtake examples still in
                // flight (those are then never learned). This test is about the oracle: learn them all first.
                newestWhenQuiet(broker.bootstrapServers(), config.modelName());
                producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-3", AvroCodec.ERASURE_REQUEST.encode(
                        TestData.erasure("erase-3", ErasureScope.SUBJECT, "subject-3", List.of(), null, null)))).get();
                ErasureReceipt receipt = TestClients.awaitReceipt(receipts, Duration.ofSeconds(90));
                assertEquals(20, receipt.getExamplesRemoved());

                ModelVersion newest = newestWhenQuiet(broker.bootstrapServers(), config.modelName());
                StreamOracle oracle = new StreamOracle(config, broker.bootstrapServers(), s -> { });
                StreamOracle.Report report = oracle.run();
                assertEquals(161, report.examplesRead());
                assertEquals(1, report.duplicates());
                assertEquals(20, report.examplesErased(), "every example of the erased subject is skipped");
                assertTrue(report.examplesHeldOut() > 0, "10 % of the examples are held out: " + report.toMap());
                assertEquals(140, report.examplesTrained() + report.examplesHeldOut());
                assertEquals(newest.getVersion(), report.comparedVersion());
                assertEquals(newest.getLineage().getExamplesRetained(), report.examplesTrained(),
                        "the oracle retrains on exactly the examples the live model retains (same hold-out rule)");
                assertEquals(1, report.erasureRequests());
                assertTrue(report.comparedVersion() >= receipt.getModelVersion(), "compared with the newest version");
                assertFalse(Double.isNaN(report.predictionAgreement()));
                assertTrue(report.oracleRetainedAccuracy() > 40, "the oracle learned (4 classes, chance 25 %): " + report.toMap());

                oracle.publish(report);
                try (KafkaConsumer<String, byte[]> evaluations = TestClients.committedConsumer(broker.bootstrapServers(),
                        LetheTopics.EVALUATIONS)) {
                    io.lethe.schemas.EvaluationReport published = null;
                    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (published == null && System.nanoTime() < until) {
                        for (ConsumerRecord<String, byte[]> r : evaluations.poll(Duration.ofMillis(200))) {
                            io.lethe.schemas.EvaluationReport e = AvroCodec.EVALUATION_REPORT.decode(r.value());
                            if (e.getMetrics().containsKey("oracle.examples_trained")) {
                                published = e;
                            }
                        }
                    }
                    assertTrue(published != null, "the oracle's report is on the metrics topic");
                    assertEquals((double) report.examplesTrained(), published.getMetrics().get("oracle.examples_trained"));
                    assertEquals((long) report.comparedVersion(), published.getModelVersion());
                }
            }
        }
    }

    /** The newest version of the model once no new version has appeared for two seconds. */
    private static ModelVersion newestWhenQuiet(String bootstrap, String model) {
        ModelVersion newest = null;
        try (KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(bootstrap, LetheTopics.MODEL_VERSIONS)) {
            long quietSince = System.nanoTime();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue; // a revoked version's entry
                    }
                    ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                    if (v.getModelName().equals(model) && (newest == null || v.getVersion() > newest.getVersion())) {
                        newest = v;
                        quietSince = System.nanoTime();
                    }
                }
            }
        }
        assertTrue(newest != null, "the model published versions");
        return newest;
    }
}
