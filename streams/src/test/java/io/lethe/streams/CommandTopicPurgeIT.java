package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LearnerCommand;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import java.nio.file.Path;
import java.time.Duration;
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
 * The learner's command topic is transit: once the learner has committed what it consumed, the
 * records below the committed offset are deleted from the topic (a real broker's log start offset
 * moves), so an erased subject's examples are no longer readable there; nothing not yet committed
 * is deleted.
 */
class CommandTopicPurgeIT {

    @TempDir
    Path dir;

    @Test
    void theCommandTopicIsPurgedBelowTheCommittedOffset() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String bootstrap = broker.bootstrapServers();
            LetheConfig config = TestData.config(dir, "bootstrap.servers", bootstrap, "lethe.application.id", "purge-it",
                    "lethe.publish.idle.ms", "300", "lethe.purge.interval.ms", "300");
            List<TrainingExample> examples = TestData.examples(41, 0, 80, 5);
            TopicPartition commands = new TopicPartition(LetheTopics.learnerCommands(config.applicationId()), 0);
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaProducer<String, byte[]> producer = TestClients.producer(bootstrap);
                 KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(bootstrap, LetheTopics.ERASURE_RECEIPTS)) {
                for (TrainingExample e : examples) {
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                Thread.sleep(500);
                producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-2", AvroCodec.ERASURE_REQUEST.encode(
                        TestData.erasure("erase-2", ErasureScope.SUBJECT, "subject-2", List.of(), null, null)))).get();
                ErasureReceipt receipt = TestClients.awaitReceipt(receipts, Duration.ofSeconds(60));

                // Every command (80 examples, 1 erasure; transaction markers take offsets too) was consumed
                // and committed: the purger deletes them all.
                try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                        new StringDeserializer(), new ByteArrayDeserializer())) {
                    reader.assign(List.of(commands));
                    long end = awaitPurgedToEnd(app, reader, commands);
                    assertTrue(end > examples.size(), "every command was written: end offset " + end);
                    assertEquals(end, reader.beginningOffsets(List.of(commands)).get(commands),
                            "the broker's log start offset moved past every consumed command");
                    reader.seekToBeginning(List.of(commands));
                    int readable = 0;
                    for (int i = 0; i < 5; i++) {
                        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                            LearnerCommand command = AvroCodec.LEARNER_COMMAND.decode(r.value());
                            if (command.getCommand() instanceof TrainingExample e) {
                                assertTrue(!e.getSubjectId().equals("subject-2"), "an erased example is still readable");
                            }
                            readable++;
                        }
                    }
                    assertEquals(0, readable, "no consumed command is readable any more");

                    // New input after the purge is still learned, and purged in turn once committed.
                    for (TrainingExample e : TestData.examples(42, 200, 10, 5)) {
                        producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(),
                                AvroCodec.TRAINING_EXAMPLE.encode(e)));
                    }
                    producer.flush();
                    assertTrue(awaitPurgedToEnd(app, reader, commands) >= end + 10, "the new commands were purged too");
                }
            }
        }
    }

    /** Waits until the purger has caught up with the command topic's committed end; returns that offset. */
    private static long awaitPurgedToEnd(LetheApplication app, KafkaConsumer<String, byte[]> reader, TopicPartition commands)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long quietSince = System.nanoTime();
        long lastEnd = -1;
        while (System.nanoTime() < deadline) {
            long end = reader.endOffsets(List.of(commands)).get(commands);
            if (end != lastEnd) {
                lastEnd = end;
                quietSince = System.nanoTime();
            }
            // The end has been still for a second (the learner consumed everything) and the purge reached it.
            if (System.nanoTime() - quietSince > Duration.ofSeconds(1).toNanos() && app.commandTopicPurgedBelow() == end) {
                return end;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the purge did not reach the end of the command topic: purged below "
                + app.commandTopicPurgedBelow() + ", end " + lastEnd);
    }
}
