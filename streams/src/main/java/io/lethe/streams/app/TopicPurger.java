package io.lethe.streams.app;

import io.lethe.schemas.LetheTopics;
import io.lethe.streams.LetheConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Treats the topics Lethe consumes as transit, as Kafka Streams does its repartition topics: every
 * {@code lethe.purge.interval.ms} it deletes records that every reader has consumed and committed
 * (Admin {@code deleteRecords}).
 * <ul>
 * <li>The learner's command topic: below this application's committed offset. Only this application
 * reads it, and under exactly_once_v2 a committed offset means its state holds what came before.
 * <li>The input topics ({@code lethe.examples}, {@code lethe.erasures}; unless
 * {@code lethe.purge.inputs=false}): below the lowest offset committed by any consumer group that
 * reads them. Several models share the inputs, each its own application (group); each registers at
 * start by committing the topics' start offsets if it has no position yet, so no model ever loses
 * what it has not read. A group that stopped for good holds purging back until it is deleted.
 * </ul>
 * With segments rolled every {@code lethe.topic.segment.ms}, purged records leave the broker's disk at
 * its next retention check.
 */
public final class TopicPurger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicPurger.class);

    private final Admin admin;
    private final String group;
    private final TopicPartition commands;
    private final boolean purgeInputs;
    private final ScheduledExecutorService schedule;
    private final Map<TopicPartition, Long> purgedBelow = new ConcurrentHashMap<>();
    private final long segmentMs;
    private final String bootstrap;
    private org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> markers;
    /** Per partition: when it was first seen fully consumed at its current end (end offset, since). */
    private final Map<TopicPartition, long[]> idleSince = new HashMap<>();
    /** Per partition: the offset of the last segment-roll marker written. */
    private final Map<TopicPartition, Long> markerAt = new HashMap<>();
    private volatile String lastProblem;

    private TopicPurger(LetheConfig config) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()));
        this.group = config.applicationId();
        this.commands = new TopicPartition(LetheTopics.learnerCommands(config.applicationId()), 0);
        this.purgeInputs = config.privacy().purgeInputs();
        this.segmentMs = config.topicSegmentMs();
        this.bootstrap = config.bootstrapServers();
        this.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "lethe-topic-purger");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts purging on the configured interval; null when purging is off ({@code lethe.purge.interval.ms=0}). */
    static TopicPurger start(LetheConfig config) {
        if (config.purgeIntervalMs() <= 0) {
            return null;
        }
        TopicPurger purger = new TopicPurger(config);
        purger.schedule.scheduleWithFixedDelay(purger::purgeOnce, config.purgeIntervalMs(), config.purgeIntervalMs(),
                TimeUnit.MILLISECONDS);
        return purger;
    }

    /**
     * Registers the application as a reader of the input topics before it starts: a group without a
     * committed position gets the topics' start offsets (where it would begin reading anyway), so the
     * other models' purgers wait for it. Must run while the group has no members.
     */
    static void registerAsInputReader(Admin admin, String group) throws InterruptedException {
        try {
            List<TopicPartition> partitions = inputPartitions(admin);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> missing = new HashMap<>();
            for (TopicPartition partition : partitions) {
                if (committed.get(partition) == null) {
                    missing.put(partition, OffsetSpec.earliest());
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            admin.listOffsets(missing).all().get().forEach((tp, info) -> start.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(group, start).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot register application " + group + " as a reader of the input topics"
                    + " (needed so that no other model purges what it has not read): " + e.getCause(), e);
        }
    }

    private static List<TopicPartition> inputPartitions(Admin admin) throws ExecutionException, InterruptedException {
        return admin.describeTopics(List.of(LetheTopics.EXAMPLES, LetheTopics.ERASURES)).allTopicNames().get().values()
                .stream().flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                .toList();
    }

    /** One purge of the command topic and, when on, the input topics; returns what each is purged below. */
    Map<TopicPartition, Long> purgeOnce() {
        try {
            Map<TopicPartition, Long> below = new HashMap<>();
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(commands);
            if (committed != null) {
                below.put(commands, committed.offset());
            }
            if (purgeInputs) {
                below.putAll(lowestCommittedInputOffsets());
            }
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            below.forEach((partition, offset) -> {
                if (offset > purgedBelow.getOrDefault(partition, 0L)) {
                    delete.put(partition, RecordsToDelete.beforeOffset(offset));
                }
            });
            if (!delete.isEmpty()) {
                admin.deleteRecords(delete).all().get();
                delete.forEach((partition, records) -> purgedBelow.put(partition, records.beforeOffset()));
                LOG.debug("purged {}", delete);
            }
            rollIdleSegments(below);
            lastProblem = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            String problem = String.valueOf(e.getCause() == null ? e : e.getCause());
            if (!problem.equals(lastProblem)) { // once per kind of failure, not every interval
                LOG.warn("cannot purge consumed records yet (retrying every interval): {}", problem);
                lastProblem = problem;
            }
        }
        return Map.copyOf(purgedBelow);
    }

    /**
     * A partition purged to its end and idle for a segment period still keeps the purged records in
     * its active segment, which Kafka never deletes: one marker record rolls it (see
     * {@link LetheTopics#SEGMENT_ROLL_KEY}). Never twice in a row: a partition whose only record after
     * the purge is the marker is left alone.
     */
    private void rollIdleSegments(Map<TopicPartition, Long> below) throws ExecutionException, InterruptedException {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        below.keySet().forEach(p -> latest.put(p, org.apache.kafka.clients.admin.OffsetSpec.latest()));
        if (latest.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        var ends = admin.listOffsets(latest).all().get();
        for (Map.Entry<TopicPartition, Long> entry : below.entrySet()) {
            TopicPartition partition = entry.getKey();
            long end = ends.get(partition).offset();
            if (entry.getValue() < end || end == 0 || markerAt.getOrDefault(partition, -2L) + 1 >= end) {
                idleSince.remove(partition); // unread records, an empty partition, or only our marker since
                continue;
            }
            long[] idle = idleSince.get(partition);
            if (idle == null || idle[0] != end) {
                idleSince.put(partition, new long[] {end, now});
            } else if (now - idle[1] >= segmentMs) {
                if (markers == null) {
                    markers = LetheClients.producer(bootstrap);
                }
                var sent = markers.send(new org.apache.kafka.clients.producer.ProducerRecord<>(partition.topic(),
                        partition.partition(), LetheTopics.SEGMENT_ROLL_KEY, null)).get();
                markerAt.put(partition, sent.offset());
                idleSince.remove(partition);
            }
        }
    }

    /**
     * Per input partition, the lowest offset committed by the groups that read the input topics (a
     * group with a position on some input partition but none on this one holds it at 0).
     */
    private Map<TopicPartition, Long> lowestCommittedInputOffsets() throws ExecutionException, InterruptedException {
        Collection<GroupListing> groups = admin.listGroups().all().get();
        Map<TopicPartition, Long> lowest = new HashMap<>();
        boolean anyReader = false;
        List<TopicPartition> partitions = new ArrayList<>();
        for (GroupListing listing : groups) {
            Map<TopicPartition, OffsetAndMetadata> offsets;
            try {
                offsets = admin.listConsumerGroupOffsets(listing.groupId()).partitionsToOffsetAndMetadata().get();
            } catch (ExecutionException e) {
                continue; // not a consumer group (e.g. a share group)
            }
            Map<TopicPartition, Long> inputs = new HashMap<>();
            offsets.forEach((tp, om) -> {
                if (om != null && (tp.topic().equals(LetheTopics.EXAMPLES) || tp.topic().equals(LetheTopics.ERASURES))) {
                    inputs.put(tp, om.offset());
                }
            });
            if (inputs.isEmpty()) {
                continue;
            }
            if (!anyReader) {
                anyReader = true;
                partitions.addAll(inputPartitions(admin));
            }
            for (TopicPartition partition : partitions) {
                lowest.merge(partition, inputs.getOrDefault(partition, 0L), Math::min);
            }
        }
        return lowest;
    }

    /** The offset below which the command topic has been purged so far. */
    public long purgedBelow() {
        return purgedBelow.getOrDefault(commands, 0L);
    }

    /** What each topic partition has been purged below so far. */
    public Map<TopicPartition, Long> purged() {
        return Map.copyOf(purgedBelow);
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        if (markers != null) {
            markers.close(Duration.ofSeconds(2));
        }
        admin.close(Duration.ofSeconds(5));
    }
}
