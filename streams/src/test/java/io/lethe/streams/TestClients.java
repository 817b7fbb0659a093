package io.lethe.streams;

import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Kafka clients for integration tests: committed records only, from the beginning. */
public final class TestClients {

    private TestClients() {
    }

    public static KafkaConsumer<String, byte[]> committedConsumer(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** acks=all, default serializers for Lethe's topics. */
    public static org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        return new org.apache.kafka.clients.producer.KafkaProducer<>(java.util.Map.of(
                org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all"),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** The first receipt that arrives on the consumer, failing the test if none does within the timeout. */
    public static io.lethe.schemas.ErasureReceipt awaitReceipt(KafkaConsumer<String, byte[]> receipts,
                                                               java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r : receipts.poll(java.time.Duration.ofMillis(200))) {
                return io.lethe.schemas.AvroCodec.ERASURE_RECEIPT.decode(r.value());
            }
        }
        throw new AssertionError("no erasure receipt within " + timeout);
    }
}
