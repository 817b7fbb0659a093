package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two models (two applications, as in the demo) learn the same stream on one cluster: each learns
 * every example once and answers every erasure request with exactly one receipt. (Their internal
 * command topics are their own; a shared one once gave each learner the other's copy of every
 * request, hence a second, empty receipt.)
 */
class TwoModelsOneClusterIT {

    @TempDir
    Path dir;

    @Test
    void eachModelLearnsOnceAndAnswersEachRequestOnce() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            LetheConfig first = TestData.config(dir.resolve("a"), "bootstrap.servers", broker.bootstrapServers(),
                    "lethe.application.id", "twin-a", "lethe.model.name", "model-a", "lethe.publish.idle.ms", "300");
            LetheConfig second = TestData.config(dir.resolve("b"), "bootstrap.servers", broker.bootstrapServers(),
                    "lethe.application.id", "twin-b", "lethe.model.name", "model-b", "lethe.publish.idle.ms", "300");
            List<TrainingExample> examples = TestData.examples(11, 0, 90, 6);
            long ofSubject = examples.stream().filter(e -> e.getSubjectId().equals("subject-1")).count();
            try (LetheApplication a = LetheApplication.start(first);
                 LetheApplication b = LetheApplication.start(second);
                 KafkaProducer<String, byte[]> producer = TestClients.producer(broker.bootstrapServers());
                 KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(broker.bootstrapServers(),
                         LetheTopics.ERASURE_RECEIPTS);
                 KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(broker.bootstrapServers(),
                         LetheTopics.MODEL_VERSIONS)) {
                for (TrainingExample e : examples) {
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(),
                            AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                // Both models learn everything before the request, so it covers all of the subject's examples
                // (a request that overtakes an example leaves it unlearned and uncounted: a different test).
                Map<String, Long> learned = new HashMap<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && !(learned.getOrDefault("model-a", 0L) >= examples.size()
                        && learned.getOrDefault("model-b", 0L) >= examples.size())) {
                    for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(100))) {
                        if (r.value() == null) {
                            continue; // a revoked version's entry
                        }
                        ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                        learned.merge(v.getModelName(), v.getLineage().getExamplesLearned(), Math::max);
                    }
                }
                producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-1", AvroCodec.ERASURE_REQUEST.encode(
                        TestData.erasure("erase-1", ErasureScope.SUBJECT, "subject-1", List.of(), null, null)))).get();

                List<ErasureReceipt> seen = new ArrayList<>();
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                long quietUntil = Long.MAX_VALUE;
                while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                    for (ConsumerRecord<String, byte[]> r : receipts.poll(Duration.ofMillis(100))) {
                        seen.add(AvroCodec.ERASURE_RECEIPT.decode(r.value()));
                    }
                    for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(100))) {
                        if (r.value() == null) {
                            continue; // a revoked version's entry
                        }
                        ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                        learned.merge(v.getModelName(), v.getLineage().getExamplesLearned(), Math::max);
                    }
                    if (quietUntil == Long.MAX_VALUE && seen.stream().map(ErasureReceipt::getModelName).distinct().count() == 2) {
                        quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // time for a duplicate to show
                    }
                }
                for (String model : List.of("model-a", "model-b")) {
                    List<ErasureReceipt> ofModel = seen.stream().filter(r -> r.getModelName().equals(model)).toList();
                    assertEquals(1, ofModel.size(), model + ": one receipt per request, got " + ofModel);
                    assertEquals(ReceiptStatus.COMPLETED, ofModel.get(0).getStatus());
                    assertEquals(ofSubject, ofModel.get(0).getExamplesRemoved());
                    assertEquals(examples.size(), learned.get(model), model + " learned each example once");
                }
            }
        }
    }
}
