package io.lethe.modelstore;

import io.lethe.learning.Predictor;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the model-versions topic (committed records only) and hands each new version, loaded and
 * hash-verified from the checkpoint store, to a callback as a {@link Predictor}, whatever kind of
 * learner produced it. Versions revoked because they contain erased data (manifest and checkpoint
 * gone from the store) are skipped: a newer version of the model follows. What a downstream
 * service embeds.
 */
public final class ModelSubscriber implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final CheckpointStore store;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final String modelName;
    private long revokedBelow;

    /** Follows the versions of the model named {@code modelName}; other models on the topic are skipped. */
    public ModelSubscriber(String bootstrapServers, CheckpointStore store, boolean fromBeginning, String modelName) {
        this.modelName = java.util.Objects.requireNonNull(modelName, "modelName");
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "lethe-subscriber-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.consumer.subscribe(List.of(LetheTopics.MODEL_VERSIONS));
        this.store = store;
    }

    /** Polls once and delivers what arrived; returns how many versions were delivered. */
    public int pollOnce(Duration timeout, BiConsumer<ModelVersion, Predictor> onVersion) {
        int delivered = 0;
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            if (record.value() == null) {
                continue; // a revoked version's entry, removed
            }
            ModelVersion version = AvroCodec.MODEL_VERSION.decode(record.value());
            if (!modelName.equals(version.getModelName())) {
                continue; // another model (maybe another kind of learner) shares the topic
            }
            if (version.getRevokesBelow() != null) {
                revokedBelow = Math.max(revokedBelow, version.getRevokesBelow());
            }
            if (store.isRevoked(version.getModelName(), version.getVersion(), URI.create(version.getCheckpointUri()))) {
                continue; // it contained data erased since: a newer version of the model follows on the topic
            }
            try {
                CheckpointEnvelope.Contents contents = store.load(URI.create(version.getCheckpointUri()), version.getSha256());
                if (contents.provenance() != null && (contents.provenance().version() != version.getVersion()
                        || !contents.provenance().modelName().equals(version.getModelName()))) {
                    throw new java.io.IOException("the checkpoint's provenance names " + contents.provenance().modelName()
                            + " v" + contents.provenance().version() + ", not the announced version");
                }
                onVersion.accept(version, contents.predictor());
                delivered++;
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot load model version " + version.getVersion() + ": " + e.getMessage(), e);
            }
        }
        return delivered;
    }

    /**
     * The version below which this model's versions are revoked (they contain erased data), as the
     * revocation events seen so far say: a service must stop serving any of them. Each revocation
     * comes with the version that replaces them, which {@link #pollOnce} delivers in the same call.
     */
    public long revokedBelow() {
        return revokedBelow;
    }

    /** Delivers versions until {@link #close()} is called from another thread. */
    public void run(BiConsumer<ModelVersion, Predictor> onVersion) {
        while (running.get()) {
            try {
                pollOnce(Duration.ofMillis(200), onVersion);
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                break;
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        synchronized (this) {
            try {
                consumer.close(Duration.ofSeconds(2));
            } catch (RuntimeException ignored) {
                // Closing from another thread while polling may race; the consumer is released either way.
            }
        }
    }
}
