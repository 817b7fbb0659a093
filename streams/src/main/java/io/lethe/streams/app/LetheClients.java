package io.lethe.streams.app;

import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The producers and consumers Lethe's own commands use against its topics. */
public final class LetheClients {

    private LetheClients() {
    }

    /** Idempotent, acks=all, batched: for streaming examples and requests in. */
    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Hands every committed record of the topic, from its beginning, to {@code each}, until none has
     * arrived for {@code quietMillis}: for reading back what a finished run published.
     */
    public static void readUntilQuiet(String bootstrap, String groupPrefix, String topic, long quietMillis,
                                      java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        try (KafkaConsumer<String, byte[]> consumer = committedConsumer(bootstrap, groupPrefix, topic)) {
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < quietMillis * 1_000_000L) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(java.time.Duration.ofMillis(200))) {
                    each.accept(record);
                    quietSince = System.nanoTime();
                }
            }
        }
    }

    /** A fresh group reading only committed records of the topic from its beginning. */
    public static KafkaConsumer<String, byte[]> committedConsumer(String bootstrap, String groupPrefix, String topic) {
        return committedConsumer(bootstrap, groupPrefix, topic, 5);
    }

    /**
     * {@link #committedConsumer(String, String, String)} whose fetches the broker holds up to
     * {@code maxWaitMs} while nothing new is committed. New records end the wait at once either way;
     * a short wait only makes an idle consumer ask again and again (every 5 ms: 200 fetch requests a
     * second for the broker to answer on the cores the learner uses).
     */
    public static KafkaConsumer<String, byte[]> committedConsumer(String bootstrap, String groupPrefix, String topic,
                                                                  int maxWaitMs) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, maxWaitMs);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // a reader never holds back the purge of input topics
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}
