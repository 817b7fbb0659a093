package io.lethe.streams.app;

import io.lethe.schemas.LetheTopics;
import io.lethe.streams.LetheConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Treats the learner's command topic as transit, as Kafka Streams does its repartition topics: every
 * {@code lethe.purge.interval.ms} it deletes the records below the application's committed offset
 * (Admin {@code deleteRecords}). Only this application reads that topic, and a committed offset
 * under exactly_once_v2 means the learner's state already holds what came before it, so nothing
 * that is still needed is ever deleted. With segments rolled every {@code lethe.topic.segment.ms},
 * the purged records then leave the broker's disk at its next retention check.
 */
public final class CommandTopicPurger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandTopicPurger.class);

    private final Admin admin;
    private final String group;
    private final TopicPartition commands;
    private final ScheduledExecutorService schedule;
    private final AtomicLong purgedBelow = new AtomicLong();
    private volatile String lastProblem;

    private CommandTopicPurger(LetheConfig config) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()));
        this.group = config.applicationId();
        this.commands = new TopicPartition(LetheTopics.learnerCommands(config.applicationId()), 0);
        this.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "lethe-command-topic-purger");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts purging on the configured interval; null when purging is off ({@code lethe.purge.interval.ms=0}). */
    static CommandTopicPurger start(LetheConfig config) {
        if (config.purgeIntervalMs() <= 0) {
            return null;
        }
        CommandTopicPurger purger = new CommandTopicPurger(config);
        purger.schedule.scheduleWithFixedDelay(purger::purgeOnce, config.purgeIntervalMs(), config.purgeIntervalMs(),
                TimeUnit.MILLISECONDS);
        return purger;
    }

    /** Deletes the command records below the committed offset; returns the offset purged below (0: nothing yet). */
    long purgeOnce() {
        try {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(commands);
            if (committed != null && committed.offset() > purgedBelow.get()) {
                admin.deleteRecords(Map.of(commands, RecordsToDelete.beforeOffset(committed.offset()))).all().get();
                purgedBelow.set(committed.offset());
                LOG.debug("purged {} below offset {}", commands, committed.offset());
            }
            lastProblem = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            String problem = String.valueOf(e.getCause() == null ? e : e.getCause());
            if (!problem.equals(lastProblem)) { // once per kind of failure, not every interval
                LOG.warn("cannot purge {} yet (retrying every interval): {}", commands, problem);
                lastProblem = problem;
            }
        }
        return purgedBelow.get();
    }

    /** The offset below which the command topic has been purged so far. */
    public long purgedBelow() {
        return purgedBelow.get();
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
