package io.lethe.streams.app;

import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.VersionTrigger;
import io.lethe.streams.LetheConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revokes the checkpoints that contain erased data. It follows {@code lethe.model-versions}
 * (committed records only: a version whose transaction aborted never counts) and, for each version
 * of this model published by an erasure, removes every earlier version's manifest and checkpoint
 * from the model store; subscribers then skip those versions ({@code ModelSubscriber}). Reading from
 * the beginning makes it catch up on erasures committed while it was down; revoking is idempotent.
 */
final class CheckpointRevoker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRevoker.class);

    private final String modelName;
    private final CheckpointStore store;
    private final KafkaConsumer<String, byte[]> versions;
    private final Thread thread;
    private final AtomicLong revokedBelow = new AtomicLong();
    /** Versions of this model whose entries are still on the topic (not yet tombstoned). */
    private final java.util.TreeSet<Long> announced = new java.util.TreeSet<>();
    private final String bootstrap;
    private org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> tombstones;
    private volatile boolean running = true;

    private CheckpointRevoker(LetheConfig config) {
        this.modelName = config.modelName();
        this.store = new CheckpointStore(config.modelStoreDir());
        this.bootstrap = config.bootstrapServers();
        this.versions = LetheClients.committedConsumer(config.bootstrapServers(), "lethe-revoker-", LetheTopics.MODEL_VERSIONS,
                500); // it runs all the time, and new versions end a fetch's wait at once
        this.thread = new Thread(this::run, "lethe-checkpoint-revoker");
        this.thread.setDaemon(true);
    }

    static CheckpointRevoker start(LetheConfig config) {
        CheckpointRevoker revoker = new CheckpointRevoker(config);
        revoker.thread.start();
        return revoker;
    }

    /** The version below which this model's checkpoints have been revoked (0: none yet). */
    long revokedBelow() {
        return revokedBelow.get();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : versions.poll(Duration.ofMillis(500))) {
                    if (record.value() == null) {
                        continue;
                    }
                    ModelVersion version = AvroCodec.MODEL_VERSION.decode(record.value());
                    // The revocation event; versions written before it existed say so by their trigger.
                    Long below = version.getRevokesBelow() != null ? version.getRevokesBelow()
                            : version.getTrigger() == VersionTrigger.ERASURE ? Long.valueOf(version.getVersion()) : null;
                    if (!version.getModelName().equals(modelName)) {
                        continue;
                    }
                    if (record.key() != null && record.key().equals(LetheTopics.modelVersionKey(modelName, version.getVersion()))) {
                        announced.add(version.getVersion());
                    }
                    if (below != null && below > revokedBelow.get()) {
                        revoke(below);
                    }
                    tombstoneRevoked();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("checkpoint revocation stopped; checkpoints with erased data may remain in {}", store.root(), e);
        } finally {
            versions.close(Duration.ofSeconds(2));
            if (tombstones != null) {
                tombstones.close(Duration.ofSeconds(2));
            }
        }
    }

    private void revoke(long version) {
        try {
            List<CheckpointStore.Revoked> revoked = store.revokeBelow(modelName, version);
            revokedBelow.set(version);
            long files = revoked.stream().filter(CheckpointStore.Revoked::checkpointDeleted).count();
            // One line when a burst of learning is revoked; the version-by-version revocations of a
            // series of erasures only at debug level, so that they do not flood the console.
            if (revoked.size() > 1) {
                LOG.info("model {}: revoked {} versions below v{} (they contain erased data); {} checkpoint files deleted",
                        modelName, revoked.size(), version, files);
            } else if (!revoked.isEmpty()) {
                LOG.debug("model {}: revoked v{} ({} checkpoint file deleted)", modelName, revoked.get(0).version(), files);
            }
        } catch (IOException e) {
            LOG.warn("model {}: cannot revoke versions below v{} yet: {}", modelName, version, e.getMessage());
        }
    }

    /** Replaces the entries of revoked versions by tombstones, so compaction removes them from the topic. */
    private void tombstoneRevoked() {
        java.util.SortedSet<Long> revoked = announced.headSet(revokedBelow.get());
        if (revoked.isEmpty()) {
            return;
        }
        if (tombstones == null) {
            tombstones = LetheClients.producer(bootstrap);
        }
        for (long version : revoked) {
            tombstones.send(new org.apache.kafka.clients.producer.ProducerRecord<>(LetheTopics.MODEL_VERSIONS,
                    LetheTopics.modelVersionKey(modelName, version), null));
        }
        tombstones.flush();
        revoked.clear();
    }

    @Override
    public void close() {
        running = false;
        versions.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
