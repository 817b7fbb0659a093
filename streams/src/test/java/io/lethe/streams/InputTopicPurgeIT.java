package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input topics are transit too, but shared by every model: they are purged below the lowest
 * offset any registered reader committed. A model that is down holds the purge back; once it has
 * read and committed, the records (an erased subject's included) leave the topic.
 */
class InputTopicPurgeIT {

    @TempDir
    Path dir;

    @Test
    void inputsArePurgedOnlyOnceEveryRegisteredModelHasReadThem() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String bootstrap = broker.bootstrapServers();
            LetheConfig first = TestData.config(dir.resolve("a"), "bootstrap.servers", bootstrap,
                    "lethe.application.id", "model-a", "lethe.model.name", "model-a", "lethe.purge.interval.ms", "300");
            LetheConfig second = TestData.config(dir.resolve("b"), "bootstrap.servers", bootstrap,
                    "lethe.application.id", "model-b", "lethe.model.name", "model-b", "lethe.purge.interval.ms", "300");
            try (LetheApplication b = LetheApplication.start(second)) {
                // model-b registers as a reader, then goes down before any input exists.
            }
            List<TrainingExample> examples = TestData.examples(51, 0, 60, 5);
            try (KafkaProducer<String, byte[]> producer = TestClients.producer(bootstrap);
                 KafkaConsumer<String, byte[]> reader = reader(bootstrap)) {
                List<TopicPartition> inputs = partitions(reader);
                try (LetheApplication a = LetheApplication.start(first);
                     KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(bootstrap, LetheTopics.ERASURE_RECEIPTS)) {
                    for (TrainingExample e : examples) {
                        producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(),
                                AvroCodec.TRAINING_EXAMPLE.encode(e)));
                    }
                    producer.flush();
                    Thread.sleep(500);
                    producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-2", AvroCodec.ERASURE_REQUEST.encode(
                            TestData.erasure("erase-2", ErasureScope.SUBJECT, "subject-2", List.of(), null, null)))).get();
                    TestClients.awaitReceipt(receipts, Duration.ofSeconds(60));
                    Thread.sleep(2_000); // several purge intervals
                    assertEquals(0L, reader.beginningOffsets(inputs).values().stream().mapToLong(Long::longValue).sum(),
                            "model-b has read nothing yet: nothing is purged");
                    assertTrue(erasedSubjectRecords(reader, inputs) > 0, "the erased subject is still in the input");

                    try (LetheApplication b = LetheApplication.start(second)) {
                        Map<TopicPartition, Long> ends = reader.endOffsets(inputs);
                        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                        while (!reader.beginningOffsets(inputs).equals(ends) && System.nanoTime() < deadline) {
                            Thread.sleep(200);
                        }
                        assertEquals(ends, reader.beginningOffsets(inputs),
                                "once both models committed, every input record is purged");
                        assertEquals(0, erasedSubjectRecords(reader, inputs), "no erased example is readable in the input");
                    }
                }
            }
        }
    }

    private static KafkaConsumer<String, byte[]> reader(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> reader) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : List.of(LetheTopics.EXAMPLES, LetheTopics.ERASURES)) {
            reader.partitionsFor(topic).forEach(p -> out.add(new TopicPartition(topic, p.partition())));
        }
        return out;
    }

    /** Records of subject-2 (its examples and its erasure request) still readable in the input topics. */
    private static int erasedSubjectRecords(KafkaConsumer<String, byte[]> reader, List<TopicPartition> inputs) {
        reader.assign(inputs);
        reader.seekToBeginning(inputs);
        int found = 0;
        for (int i = 0; i < 10; i++) {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                found += "subject-2".equals(r.key()) ? 1 : 0;
            }
        }
        return found;
    }
}
