package io.lethe.streams.dashboard;

import io.lethe.schemas.LetheTopics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.lethe.streams.metrics.RetrainingProgress;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the evaluation, receipt and model-version topics on its own thread (read_committed, every
 * partition from the beginning, no consumer group: the dashboard only reads) and hands each event
 * to the subscribed pages. It keeps the last {@code historyLimit} events, so a page opened at any
 * time first receives the run so far, then live events, with none lost or doubled in between.
 */
public final class DashboardFeed implements AutoCloseable {

    /** The topics the dashboard shows. */
    public static final List<String> TOPICS = List.of(LetheTopics.MODEL_VERSIONS, LetheTopics.EVALUATIONS,
            LetheTopics.ERASURE_RECEIPTS);

    private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final DashboardEvents events = new DashboardEvents();
    private final int historyLimit;
    private final ArrayDeque<DashboardEvents.Event> history = new ArrayDeque<>();
    private final List<BlockingQueue<DashboardEvents.Event>> subscribers = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public DashboardFeed(String bootstrapServers, int historyLimit) {
        this.historyLimit = historyLimit;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "lethe-dashboard");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "lethe-dashboard-feed");
        this.thread.setDaemon(true);
    }

    public DashboardFeed start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : TOPICS) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        accept(record.topic(), record.value());
                    }
                }
                reportRetraining();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("dashboard feed stopped: {}", e.toString(), e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private Map<String, RetrainingProgress.Progress> lastRetraining = Map.of();

    /**
     * Live only, never in the history: a retraining's progress is not on any topic (its transaction is
     * open until it ends), and a page opened later needs only the current state, which the next
     * change brings.
     */
    private void reportRetraining() {
        Map<String, RetrainingProgress.Progress> now = RetrainingProgress.running();
        if (!now.equals(lastRetraining)) {
            lastRetraining = now;
            DashboardEvents.Event event = DashboardEvents.retraining(now.values(), System.currentTimeMillis());
            subscribers.forEach(queue -> queue.offer(event));
        }
    }

    private synchronized void accept(String topic, byte[] value) {
        events.accept(topic, value).forEach(this::publish);
    }

    private void publish(DashboardEvents.Event event) {
        history.addLast(event);
        if (history.size() > historyLimit) {
            history.removeFirst();
        }
        subscribers.forEach(queue -> queue.offer(event));
    }

    /**
     * A new page's queue: the history so far, then every later event. Atomic with {@link #publish},
     * so the page sees each event exactly once.
     */
    public synchronized BlockingQueue<DashboardEvents.Event> subscribe() {
        LinkedBlockingQueue<DashboardEvents.Event> queue = new LinkedBlockingQueue<>(history);
        subscribers.add(queue);
        return queue;
    }

    public void unsubscribe(BlockingQueue<DashboardEvents.Event> queue) {
        subscribers.remove(queue);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
