package io.lethe.tools;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.app.LetheApplication;
import io.lethe.streams.PrivacySettings;
import io.lethe.streams.privacy.KeyEncryptionKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        config = withEmbeddedKek(config);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.stateDir().resolve("embedded-kafka"), false);
        LOG.info("no bootstrap.servers configured: started an embedded Kafka broker at {}", broker.bootstrapServers());
        try {
            return new LocalLethe(broker, LetheApplication.start(config.withBootstrapServers(broker.bootstrapServers())));
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /**
     * The embedded default's key-encryption key: with encryption on and no key configured, the file
     * {@code <state dir>/lethe.kek}, created on first start (never overwritten). Against a cluster of
     * their own, operators give a key; a missing one stops the start.
     */
    public static LetheConfig withEmbeddedKek(LetheConfig config) throws IOException {
        PrivacySettings privacy = config.privacy();
        if (!privacy.encryption() || privacy.hasKek()) {
            return config;
        }
        Path file = config.stateDir().resolve(PrivacySettings.EMBEDDED_KEK_FILE);
        if (!Files.exists(file)) {
            KeyEncryptionKey.createFile(file);
            LOG.info("created a key-encryption key at {} (embedded default): it wraps every subject's data key; without"
                    + " it this state folder cannot be read. For a cluster of your own, set lethe.kek.file or LETHE_KEK",
                    file.toAbsolutePath());
        }
        return config.withPrivacy(privacy.withKekFile(file));
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
