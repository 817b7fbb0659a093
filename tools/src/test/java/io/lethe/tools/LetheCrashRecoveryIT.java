package io.lethe.tools;

import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestClients;
import io.lethe.streams.TestData;
import io.lethe.streams.app.LetheApplication;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.analytic.RidgeSolver;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.broker.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the Lethe process (SIGKILL, no shutdown hook) twice while examples and erasures stream in
 * (once while it learns, once right after an erasure went out), starts it again on the same state,
 * and checks the outcome against a model that learned the same stream undisturbed: every erasure has exactly one committed
 * receipt, nothing was learned twice, no erasure was lost (the final checkpoint equals ridge on the
 * retained examples), and no checkpoint is torn.
 */
class LetheCrashRecoveryIT {

    @TempDir
    Path dir;

    private Process startLethe(String bootstrap, String appId) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.lethe.schemas",
                "-cp", System.getProperty("java.class.path"), LetheMain.class.getName(), "run"));
        Map<String, String> settings = Map.ofEntries(
                Map.entry("bootstrap.servers", bootstrap), Map.entry("lethe.application.id", appId),
                Map.entry("lethe.feature.map", "dense-relu"), Map.entry("lethe.feature.dense.features", "48"),
                Map.entry("lethe.input.dim", Integer.toString(TestData.DIM)),
                Map.entry("lethe.max.classes", Integer.toString(TestData.CLASSES)),
                Map.entry("lethe.learn.batch.size", "8"), Map.entry("lethe.publish.every.examples", "40"),
                Map.entry("lethe.snapshot.every.examples", "30"), Map.entry("lethe.publish.idle.ms", "300"),
                Map.entry("lethe.commit.interval.ms", "50"), Map.entry("lethe.input.partitions", "2"),
                // The killed member never leaves the group: a short session lets the restarted one take over sooner.
                Map.entry("streams.consumer.session.timeout.ms", "10000"),
                // Both models process examples and erasures in timestamp order (waiting briefly for a
                // partition without data), so an example never overtakes the erasure after it in one
                // model and not in the other: their counters can then be compared exactly.
                Map.entry("streams.max.task.idle.ms", "500"),
                Map.entry("lethe.kek", TestData.TEST_KEK), Map.entry("lethe.purge.interval.ms", "500"),
                Map.entry("lethe.topic.segment.ms", "2000"),
                Map.entry("lethe.state.dir", dir.resolve("state").toString()),
                Map.entry("lethe.model.store.dir", dir.resolve("models").toString()));
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CountDownLatch running = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("Lethe is running")) {
                        running.countDown();
                    }
                }
            } catch (java.io.IOException ignored) {
                // The process was killed.
            }
        });
        reader.setDaemon(true);
        reader.start();
        if (!running.await(90, TimeUnit.SECONDS)) {
            process.destroyForcibly(); // never leave a Lethe process behind a failed test
            throw new AssertionError("Lethe did not start within 90 s");
        }
        return process;
    }

    private static final String KILLED = "mnist";
    private static final String UNDISTURBED = "undisturbed";

    @Test
    void aKilledProcessNeitherDoubleLearnsNorLosesAnErasure() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            String appId = "lethe-crash-" + UUID.randomUUID().toString().substring(0, 8);
            List<TrainingExample> examples = new ArrayList<>(TestData.examples(21, 0, 600, 30));
            Set<String> erasedSubjects = new HashSet<>();
            List<String> requestIds = new ArrayList<>();

            // The same stream, learned beside it by an application that is never disturbed.
            LetheApplication undisturbed = LetheApplication.start(TestData.config(dir.resolve("undisturbed"),
                    "bootstrap.servers", broker.bootstrapServers(), "lethe.application.id", appId + "-undisturbed",
                    "lethe.model.name", UNDISTURBED, "lethe.publish.every.examples", "40", "lethe.snapshot.every.examples", "30",
                    "lethe.publish.idle.ms", "300", "lethe.commit.interval.ms", "50", "streams.max.task.idle.ms", "500"));
            Process running = startLethe(broker.bootstrapServers(), appId);
            boolean alive = true;
            KafkaConsumer<String, byte[]> progress = TestClients.committedConsumer(broker.bootstrapServers(),
                    LetheTopics.MODEL_VERSIONS);
            for (int i = 0; i < examples.size(); i++) {
                TrainingExample e = TrainingExample.newBuilder(examples.get(i))
                        .setEventTime(java.time.Instant.now()).build();
                examples.set(i, e);
                producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                if (i % 50 == 49) {
                    String subject = "subject-" + (i % 30);
                    erasedSubjects.add(subject);
                    String id = "crash-erase-" + i;
                    requestIds.add(id);
                    Thread.sleep(2); // the request comes strictly after the examples before it
                    // Each running model has learned every example before it: so no example races its
                    // erasure in one model and not in the other, and their counters compare exactly.
                    producer.flush();
                    awaitLearned(progress, alive ? List.of(KILLED, UNDISTURBED) : List.of(UNDISTURBED), i + 1);
                    producer.send(new ProducerRecord<>(LetheTopics.ERASURES, subject, AvroCodec.ERASURE_REQUEST.encode(
                            TestData.erasure(id, ErasureScope.SUBJECT, subject, List.of(), null, null))));
                    producer.flush();
                    Thread.sleep(150);
                }
                if (i == 230) {
                    running.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL while learning
                    running = startLethe(broker.bootstrapServers(), appId); // back, on the same state
                }
                if (i == 449) {
                    // SIGKILL right after an erasure went out: while it is validated, unlearned and answered.
                    running.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    alive = false;
                }
            }
            producer.flush();
            Process second = startLethe(broker.bootstrapServers(), appId);
            running.destroyForcibly();
            try {
                // An example is retained unless an erasure of its subject came after it in the stream.
                List<TrainingExample> retained = new ArrayList<>();
                for (int i = 0; i < examples.size(); i++) {
                    TrainingExample e = examples.get(i);
                    boolean erasedLater = false;
                    for (int j = 49; j < examples.size(); j += 50) {
                        if (j >= i && ("subject-" + (j % 30)).equals(e.getSubjectId())) {
                            erasedLater = true;
                        }
                    }
                    if (!erasedLater) {
                        retained.add(e);
                    }
                }

                Map<String, Integer> receiptCounts = new HashMap<>();
                Map<String, Long> removedByRequest = new HashMap<>();
                Map<String, String> keyDestroyed = new HashMap<>();
                try (KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(broker.bootstrapServers(), LetheTopics.ERASURE_RECEIPTS)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                    while (receiptCounts.size() < requestIds.size() && System.nanoTime() < deadline) {
                        for (ConsumerRecord<String, byte[]> r : receipts.poll(Duration.ofMillis(200))) {
                            ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(r.value());
                            if (!receipt.getModelName().equals(KILLED)) {
                                continue; // the undisturbed model answers every request too
                            }
                            receiptCounts.merge(receipt.getRequestId(), 1, Integer::sum);
                            removedByRequest.put(receipt.getRequestId(), receipt.getExamplesRemoved());
                            receipt.getCopies().stream().filter(c -> c.getCopy().equals("key:subject")).findFirst()
                                    .ifPresent(c -> keyDestroyed.put(receipt.getRequestId(), c.getAction() + " " + c.getDetail()));
                        }
                    }
                    // Drain a little longer so a duplicate would show.
                    for (int k = 0; k < 10; k++) {
                        for (ConsumerRecord<String, byte[]> r : receipts.poll(Duration.ofMillis(100))) {
                            ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(r.value());
                            if (receipt.getModelName().equals(KILLED)) {
                                receiptCounts.merge(receipt.getRequestId(), 1, Integer::sum);
                            }
                        }
                    }
                }
                assertEquals(requestIds.size(), receiptCounts.size(), "every erasure has a receipt: " + receiptCounts);
                assertTrue(receiptCounts.values().stream().allMatch(c -> c == 1), "exactly one receipt each: " + receiptCounts);

                Map<String, ModelVersion> newest = new HashMap<>();
                try (KafkaConsumer<String, byte[]> versions = TestClients.committedConsumer(broker.bootstrapServers(), LetheTopics.MODEL_VERSIONS)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                    while (!(settled(newest.get(KILLED), retained.size()) && settled(newest.get(UNDISTURBED), retained.size()))
                            && System.nanoTime() < deadline) {
                        for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(200))) {
                            if (r.value() == null) {
                                continue; // a revoked version's entry
                            }
                            ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                            newest.put(v.getModelName(), v);
                        }
                    }
                }
                ModelVersion last = newest.get(KILLED);
                ModelVersion reference = newest.get(UNDISTURBED);
                assertEquals(reference.getLineage().getExamplesLearned(), last.getLineage().getExamplesLearned(),
                        "examples learned: the killed model's lineage equals the undisturbed one's");
                assertEquals(reference.getLineage().getExamplesRetained(), last.getLineage().getExamplesRetained());
                assertEquals(new HashSet<>(reference.getLineage().getInputOffsets()), new HashSet<>(last.getLineage().getInputOffsets()),
                        "input offsets: the killed model covers the same input as the undisturbed one");
                assertEquals(retained.size(), last.getLineage().getExamplesRetained(), "retained count after the crash");
                long unlearned = removedByRequest.values().stream().mapToLong(Long::longValue).sum();
                // Examples an erasure covered on arrival are neither learned nor removed; every other one
                // was learned once and is either retained or was removed by exactly one receipt.
                assertEquals(last.getLineage().getExamplesRetained() + unlearned, last.getLineage().getExamplesLearned(),
                        "the lineage's learned count survives the crash (learned = retained + unlearned)");
                CheckpointStore store = new CheckpointStore(dir.resolve("models"));
                RidgeModel model = store.read(URI.create(last.getCheckpointUri()), last.getSha256(), RidgeModel.class);
                LetheConfig config = TestData.config(dir);
                RidgeModel direct = TestData.directSolve(config, retained, model.classes());
                double distance = RidgeSolver.relativeFrobenius(model.weights(), direct.weights());
                assertTrue(distance < 1e-9, "after a SIGKILL the model still equals ridge on exactly the retained examples: "
                        + distance);

                // Every erasure destroyed its subject's data key (the one the receipt names), the one the
                // kill interrupted included; the subject erased last, with no data after its erasure, has no
                // readable copy left anywhere Lethe keeps or passes data.
                assertTrue(keyDestroyed.values().stream().allMatch(k -> k.startsWith("shredded data key ")),
                        "each receipt names the key it destroyed: " + keyDestroyed);
                Map<String, String> liveKeyIds = new HashMap<>();
                io.lethe.streams.app.LetheClients.readUntilQuiet(broker.bootstrapServers(), "it-keys-",
                        appId + "-subject-keys-changelog", 1000, r -> {
                            if (r.value() == null) {
                                liveKeyIds.remove(r.key());
                            } else {
                                liveKeyIds.put(r.key(), io.lethe.streams.privacy.SubjectKeys.keyIdOfRecord(r.value()));
                            }
                        });
                for (String destroyed : keyDestroyed.values()) {
                    String id = destroyed.substring("shredded data key ".length(), destroyed.indexOf(" destroyed"));
                    assertTrue(!liveKeyIds.containsValue(id), "key " + id + " was destroyed, and stays destroyed");
                }
                LetheConfig auditConfig = TestData.config(dir, "bootstrap.servers", broker.bootstrapServers(),
                        "lethe.application.id", appId, "lethe.model.name", KILLED);
                io.lethe.tools.audit.ErasureAudit audit = new io.lethe.tools.audit.ErasureAudit(auditConfig,
                        broker.bootstrapServers());
                io.lethe.tools.audit.ErasureAudit.Report report = audit.subject("subject-29");
                long auditDeadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (report.readable() > 0 && System.nanoTime() < auditDeadline) {
                    Thread.sleep(2000); // purges and compaction catch up
                    report = audit.subject("subject-29");
                }
                assertEquals(0, report.readable(), "nothing of the erased subject is readable: " + report.findings());
                try (Stream<Path> files = Files.walk(dir.resolve("models"))) {
                    for (Path file : files.filter(p -> p.toString().endsWith(".ckpt")).toList()) {
                        String name = file.getFileName().toString();
                        assertEquals(name.substring(0, name.length() - 5), CheckpointStore.sha256(Files.readAllBytes(file)),
                                "torn checkpoint " + file);
                    }
                }
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
                undisturbed.close();
                progress.close();
            }
        }
    }


    private static boolean settled(ModelVersion version, int retained) {
        return version != null && version.getLineage().getExamplesRetained() == retained;
    }

    private final Map<String, Long> learnedSoFar = new HashMap<>();

    /** Waits until each of the models has published a version that learned at least {@code target} examples. */
    private void awaitLearned(KafkaConsumer<String, byte[]> versions, List<String> models, long target) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (models.stream().anyMatch(m -> learnedSoFar.getOrDefault(m, 0L) < target)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("models did not learn " + target + " examples: " + learnedSoFar);
            }
            for (ConsumerRecord<String, byte[]> r : versions.poll(Duration.ofMillis(100))) {
                if (r.value() == null) {
                    continue; // a revoked version's entry
                }
                ModelVersion v = AvroCodec.MODEL_VERSION.decode(r.value());
                learnedSoFar.merge(v.getModelName(), v.getLineage().getExamplesLearned(), Math::max);
            }
        }
    }
}
