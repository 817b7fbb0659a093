package io.lethe.tools.demo;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.VersionTrigger;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.app.LetheClients;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The demo's second model: a DL4J MLP with experience replay ({@code lethe.learner=mlp}), learning the
 * same stream beside the analytic learner in its own Kafka Streams application, so the dashboard
 * shows both models' curves side by side: the replay model's stability gap at each transition against
 * the analytic learner's exact joint solution.
 */
final class ReplayCompanion {

    static final String MODEL = "mnist-replay";

    private ReplayCompanion() {
    }

    /** The replay model's settings: the demo's, with its own name, application id, state and store folders. */
    static LetheConfig config(Properties demoSettings, Path workDir, String bootstrap) {
        Properties p = new Properties();
        p.putAll(demoSettings);
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("lethe.learner", "mlp");
        p.setProperty("lethe.model.name", MODEL);
        p.setProperty("lethe.application.id", "lethe-demo-replay");
        p.setProperty("lethe.state.dir", workDir.resolve("state-replay").toString());
        p.setProperty("lethe.model.store.dir", workDir.resolve("models-replay").toString());
        p.setProperty("lethe.metrics.port", "0"); // its own Prometheus endpoint, on a free port
        p.setProperty("lethe.dashboard.port", "-1"); // the analytic application's page shows every model
        return LetheConfig.from(p);
    }

    /**
     * Waits until the replay model has caught up with the stream: a version published because input
     * paused (trigger FLUSH) that covers at least {@code minLearned} examples (held-out examples are
     * never learned, so fewer than were sent).
     */
    static ModelVersion awaitCaughtUp(String bootstrap, long minLearned, Duration timeout) {
        try (KafkaConsumer<String, byte[]> versions = LetheClients.committedConsumer(bootstrap, "lethe-demo-replay-",
                LetheTopics.MODEL_VERSIONS)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : versions.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        continue; // a revoked version's entry
                    }
                    ModelVersion version = AvroCodec.MODEL_VERSION.decode(record.value());
                    if (MODEL.equals(version.getModelName()) && version.getTrigger() == VersionTrigger.FLUSH
                            && version.getLineage().getExamplesLearned() >= minLearned) {
                        return version;
                    }
                }
            }
        }
        throw new IllegalStateException("the replay model did not catch up with the stream within " + timeout);
    }

    /** Waits for the replay model's version {@code wanted} (its checkpoint may be revoked later: read it at once). */
    static ModelVersion awaitVersion(String bootstrap, long wanted, Duration timeout) {
        try (KafkaConsumer<String, byte[]> versions = LetheClients.committedConsumer(bootstrap, "lethe-demo-replay-",
                LetheTopics.MODEL_VERSIONS)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : versions.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        ModelVersion version = AvroCodec.MODEL_VERSION.decode(record.value());
                        if (MODEL.equals(version.getModelName()) && version.getVersion() == wanted) {
                            return version;
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("the replay model's version " + wanted + " did not arrive within " + timeout);
    }

    /** Waits for the replay model's receipts of {@code expected} requests; returns them by request id. */
    static Map<String, ErasureReceipt> awaitReceipts(String bootstrap, int expected, Duration timeout) {
        Map<String, ErasureReceipt> receipts = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = LetheClients.committedConsumer(bootstrap, "lethe-demo-replay-",
                LetheTopics.ERASURE_RECEIPTS)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (receipts.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(record.value());
                    if (MODEL.equals(receipt.getModelName())) {
                        receipts.put(receipt.getRequestId(), receipt);
                    }
                }
            }
        }
        return receipts;
    }

    /**
     * The replay model's answers to the demo's requests (their measurements, and the path its class
     * erasure took), and the version that answered the class erasure on the test images it never saw.
     */
    static Map<String, Object> erasureSummary(String bootstrap, int requests, int erasedClass, Path modelStore,
                                              TestSetEvaluator evaluator, int[] keptClasses, PrintStream out)
            throws IOException {
        String classRequest = "erase-class-" + erasedClass;
        out.printf("waiting for the replay model's %d receipts ... ", requests);
        out.flush();
        Map<String, ErasureReceipt> receipts = awaitReceipts(bootstrap, requests, Duration.ofMinutes(10));
        out.printf("%d received%n", receipts.size());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model", MODEL);
        summary.put("receipts", receipts.size());
        summary.put("requests", requests);
        ErasureReceipt classReceipt = receipts.get(classRequest);
        if (classReceipt != null) {
            Map<String, Double> m = classReceipt.getMetrics();
            out.printf(java.util.Locale.ROOT, "  %s, class erasure (%s): removed %,d; forgotten class accuracy %.2f%% -> %.2f%%;"
                    + " replay-buffer accuracy %.2f%%; held-out test accuracy %.2f%%; unlearning %.0f ms for %.0f requests"
                    + " in its batch%n", MODEL, classReceipt.getVerificationMethod(),
                    classReceipt.getExamplesRemoved(), m.getOrDefault("forget_accuracy_before", Double.NaN),
                    m.getOrDefault("forget_accuracy", Double.NaN), m.getOrDefault("retained_accuracy_replay_buffer", Double.NaN),
                    m.getOrDefault("test_accuracy_holdout", Double.NaN), m.getOrDefault("unlearning_ms", Double.NaN),
                    m.getOrDefault("requests_in_batch", Double.NaN));
            Map<String, Double> finite = new java.util.TreeMap<>();
            m.forEach((k, v) -> {
                if (Double.isFinite(v)) {
                    finite.put(k, v);
                }
            });
            summary.put("class_erasure_metrics", finite);
            summary.put("unlearning_path", classReceipt.getVerificationMethod().startsWith("exact-retrain") ? "exact-retrain"
                    : classReceipt.getVerificationMethod().replace("-metrics", ""));
            // The version that answered the class erasure, on the MNIST test images it never saw.
            io.lethe.schemas.ModelVersion version = awaitVersion(bootstrap, classReceipt.getModelVersion(),
                    Duration.ofMinutes(1));
            io.lethe.learning.Predictor model = new io.lethe.modelstore.CheckpointStore(modelStore)
                    .load(java.net.URI.create(version.getCheckpointUri()), version.getSha256()).predictor();
            int[] predicted = evaluator.predict(model);
            double retained = evaluator.accuracy(predicted, keptClasses);
            double erased = evaluator.accuracy(predicted, erasedClass);
            summary.put("test_accuracy_retained_classes_after_erasure", retained);
            summary.put("test_accuracy_erased_class_after_erasure", erased);
            out.printf(java.util.Locale.ROOT, "  %s after the class erasure (v%d, path %s): test accuracy %.2f%% on the"
                    + " retained classes, %.2f%% on class %d%n", MODEL, version.getVersion(),
                    summary.get("unlearning_path"), retained, erased, erasedClass);
        }
        return summary;
    }
}
