package io.lethe.streams.app;

import io.lethe.streams.LetheConfig;
import io.lethe.streams.dashboard.DashboardServer;
import io.lethe.streams.topology.LetheTopology;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Lethe: the Kafka Streams client over {@link LetheTopology}, its metrics endpoint and
 * dashboard, against the cluster in {@code bootstrap.servers}. (With no cluster configured, the
 * {@code lethe} command line starts an embedded broker first: the application itself carries none.)
 */
public final class LetheApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LetheApplication.class);

    private final LetheConfig config;
    private final KafkaStreams streams;
    private io.prometheus.metrics.exporter.httpserver.HTTPServer metricsServer;
    private DashboardServer dashboard;

    private TopicPurger purger;
    private CheckpointRevoker revoker;

    private LetheApplication(LetheConfig config, KafkaStreams streams,
                             io.prometheus.metrics.exporter.httpserver.HTTPServer metricsServer,
                             DashboardServer dashboard, TopicPurger purger, CheckpointRevoker revoker) {
        this.purger = purger;
        this.revoker = revoker;
        this.config = config;
        this.streams = streams;
        this.metricsServer = metricsServer;
        this.dashboard = dashboard;
    }

    /** Creates the topics it needs (if missing) and starts; returns once the streams client runs. */
    public static LetheApplication start(LetheConfig config) throws IOException, InterruptedException {
        if (config.embeddedBroker()) {
            throw new IllegalArgumentException("bootstrap.servers is empty: the application needs a Kafka cluster "
                    + "(the lethe command line starts an embedded broker when none is configured)");
        }
        LetheConfig effective = config;
        var kek = config.privacy().loadKek(); // no key, or an unreadable one, stops the start here
        if (kek != null) {
            LOG.info("stored subject data is sealed per subject (AES-GCM); data keys wrapped by the key-encryption key"
                    + " from {} (fingerprint {})", kek.origin(), kek.fingerprint());
        } else {
            LOG.warn("lethe.encryption=false: stored subject data is kept in the clear; an erasure deletes rows but"
                    + " cannot reach copies in changelog segments and RocksDB files before they are compacted");
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, effective.bootstrapServers()))) {
            TopicSetup.ensureTopics(admin, effective);
            TopicPurger.registerAsInputReader(admin, effective.applicationId());
        }
        io.prometheus.metrics.model.registry.PrometheusRegistry registry = new io.prometheus.metrics.model.registry.PrometheusRegistry();
        io.lethe.streams.metrics.LetheMetrics metrics = new io.lethe.streams.metrics.LetheMetrics(registry);
        KafkaStreams streams = new KafkaStreams(LetheTopology.build(effective, metrics), streamsProperties(effective));
        io.prometheus.metrics.exporter.httpserver.HTTPServer metricsServer = startMetrics(effective, registry, streams);
        java.util.concurrent.atomic.AtomicReference<Throwable> fatal = new java.util.concurrent.atomic.AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof io.lethe.streams.privacy.WrongKeyEncryptionKeyException wrongKey) {
                    // Retrying cannot help, and nothing was written: stop and say why.
                    LOG.error("stopping: {}", wrongKey.getMessage());
                    fatal.set(wrongKey);
                    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                }
            }
            LOG.error("stream thread failed; replacing it (exactly-once: uncommitted work is redone, never doubled)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        DashboardServer dashboard = null;
        if (effective.dashboardPort() >= 0) {
            dashboard = DashboardServer.start(effective.bootstrapServers(), effective.dashboardBind(),
                    effective.dashboardPort());
            LOG.info("live dashboard at {}", dashboard.url());
        }
        LetheApplication app = new LetheApplication(effective, streams, metricsServer, dashboard,
                TopicPurger.start(effective), CheckpointRevoker.start(effective));
        try {
            app.awaitRunning(Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            app.close();
            throw fatal.get() != null ? new IllegalStateException(fatal.get().getMessage(), fatal.get()) : e;
        }
        return app;
    }

    /** JVM, Kafka Streams and Lethe metrics on one endpoint; a taken port is reported, not fatal. */
    private static io.prometheus.metrics.exporter.httpserver.HTTPServer startMetrics(LetheConfig config,
            io.prometheus.metrics.model.registry.PrometheusRegistry registry, KafkaStreams streams) {
        if (config.metricsPort() < 0) {
            return null;
        }
        io.prometheus.metrics.instrumentation.jvm.JvmMetrics.builder().register(registry);
        registry.register(new io.lethe.streams.metrics.KafkaStreamsCollector(streams::metrics));
        try {
            io.prometheus.metrics.exporter.httpserver.HTTPServer server = io.prometheus.metrics.exporter.httpserver.HTTPServer
                    .builder().port(config.metricsPort()).registry(registry).buildAndStart();
            LOG.info("Prometheus metrics at http://localhost:{}/metrics", server.getPort());
            return server;
        } catch (IOException e) {
            LOG.warn("no metrics endpoint: port {} is not available ({})", config.metricsPort(), e.getMessage());
            return null;
        }
    }

    /** The metrics endpoint's port, or -1 without one. */
    public int metricsPort() {
        io.prometheus.metrics.exporter.httpserver.HTTPServer server = metricsServer;
        return server == null ? -1 : server.getPort();
    }

    /** The live dashboard's address, if this instance serves one. */
    public java.util.Optional<String> dashboardUrl() {
        return java.util.Optional.ofNullable(dashboard).map(DashboardServer::url);
    }

    /** The live dashboard, if this instance serves one. */
    public java.util.Optional<DashboardServer> dashboard() {
        return java.util.Optional.ofNullable(dashboard);
    }

    static Properties streamsProperties(LetheConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("streams").toAbsolutePath().toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 4 << 20);
        // Within a commit interval, examples forwarded to the learner's command topic and the stores' changelog
        // rows go out in a few large batches rather than one produce request each: the broker shares the cores
        // with the learner here, and this raised learning through Kafka from 2,630 to 3,270 examples/s (bench
        // --kafka-only). An erasure does not wait for the linger: its commit flushes the producer.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        // A transaction that starts right after the last one committed can find the coordinator still writing that
        // one's markers (CONCURRENT_TRANSACTIONS); the producer then waits retry.backoff.ms before it tries again.
        // At the default 100 ms, about one subject erasure in ten reached the learner 100 ms late (bench --kafka-only,
        // p99 128 to 149 ms with a trivial learner); at 10 ms, p99 72 ms. Repeated failures still back off
        // exponentially, up to retry.backoff.max.ms.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 10);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 2000);
        // An erasure crosses two exactly-once hops; short fetch waits keep each hop's latency low.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
        props.put(StreamsConfig.POLL_MS_CONFIG, 10);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), 600_000);
        // Exact retraining of a network (and its replay after a restart) holds the stream thread, and so its
        // open transaction, for seconds to minutes: Kafka Streams' 10 s default would abort it and fence the
        // producer, and the retraining would start over forever. A restarted instance fences the old
        // transaction at once, so a long timeout costs nothing on restart.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 600_000);
        // Changelogs roll and become compactable within lethe.topic.segment.ms, so that a deleted row's
        // old value leaves the broker's disk within minutes, not when a 1 GB segment happens to fill.
        props.put(StreamsConfig.topicPrefix(org.apache.kafka.common.config.TopicConfig.SEGMENT_MS_CONFIG),
                Long.toString(config.topicSegmentMs()));
        props.put(StreamsConfig.topicPrefix(org.apache.kafka.common.config.TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG),
                Long.toString(config.topicSegmentMs()));
        props.putAll(config.streamsOverrides()); // streams.<name> settings win over the choices above
        return props;
    }

    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("Kafka Streams stopped while starting: " + streams.state());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka Streams not running after " + timeout + ": " + streams.state());
            }
            Thread.sleep(50);
        }
    }

    public LetheConfig config() {
        return config;
    }

    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    /**
     * Stops the streams client and leaves the consumer group, so that a restarted instance gets its
     * tasks at once instead of after the session timeout.
     */
    /** The offset below which the learner's command topic has been purged (0: not yet, or purging is off). */
    public long commandTopicPurgedBelow() {
        TopicPurger current = purger;
        return current == null ? 0 : current.purgedBelow();
    }

    /** What each purged topic partition (command topic, and inputs when on) has been purged below so far. */
    public Map<org.apache.kafka.common.TopicPartition, Long> purgedBelow() {
        TopicPurger current = purger;
        return current == null ? Map.of() : current.purged();
    }

    /** The version below which this model's checkpoints were revoked (0: no erasure yet). */
    public long checkpointsRevokedBelow() {
        CheckpointRevoker current = revoker;
        return current == null ? 0 : current.revokedBelow();
    }

    public void stop() {
        if (purger != null) {
            purger.close();
            purger = null;
        }
        if (revoker != null) {
            revoker.close();
            revoker = null;
        }
        streams.close(org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (metricsServer != null) {
            metricsServer.close();
            metricsServer = null;
        }
        if (dashboard != null) {
            dashboard.close();
            dashboard = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
