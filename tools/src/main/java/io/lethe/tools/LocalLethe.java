package io.lethe.tools;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.app.LetheApplication;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lethe as the command line runs it: the application against {@code bootstrap.servers}, or, with
 * none configured, against an embedded broker started first under the state folder (the zero-setup
 * default of {@code lethe run} and the demo). Closing stops the application, then the broker.
 */
public final class LocalLethe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalLethe.class);

    private final EmbeddedKafkaBroker broker;
    private final LetheApplication app;

    private LocalLethe(EmbeddedKafkaBroker broker, LetheApplication app) {
        this.broker = broker;
        this.app = app;
    }

    public static LocalLethe start(LetheConfig config) throws IOException, InterruptedException {
        if (!config.embeddedBroker()) {
            return new LocalLethe(null, LetheApplication.start(config));
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.stateDir().resolve("embedded-kafka"), false);
        LOG.info("no bootstrap.servers configured: started an embedded Kafka broker at {}", broker.bootstrapServers());
        try {
            return new LocalLethe(broker, LetheApplication.start(config.withBootstrapServers(broker.bootstrapServers())));
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public LetheApplication app() {
        return app;
    }

    @Override
    public void close() {
        app.close();
        if (broker != null) {
            broker.close();
        }
    }
}
