package io.lethe.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestClients;
import io.lethe.streams.TestData;
import io.lethe.streams.app.LetheApplication;
import io.lethe.tools.audit.ErasureAudit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise, checked as someone with disk and topic access would: examples of several subjects
 * are streamed (each with its own random pixel bytes, so any copy of them can be recognised), three
 * subjects are erased, and while a trickle of other examples keeps the stream alive (Kafka never
 * deletes or compacts a partition's active segment), every byte of every file under the broker's log
 * directory, Lethe's state folder and the model store, and every record of every topic, is scanned
 * until no erased example's pixels and no erased subject id are found anywhere, and the examples
 * still retained are in the clear only in the input topic. The time that takes from the last receipt
 * is the horizon; {@code lethe audit} then agrees.
 */
class ForensicErasureIT {

    private static final int DIM = 64;
    private static final Duration HORIZON_LIMIT = Duration.ofSeconds(150);

    @TempDir
    Path dir;

    private static TrainingExample example(String subject, int i, SplittableRandom random) {
        byte[] pixels = new byte[DIM];
        random.nextBytes(pixels);
        return TrainingExample.newBuilder().setExampleId("ex-" + i).setSubjectId(subject).setTask(0).setLabel(i % 4)
                .setPixels(ByteBuffer.wrap(pixels)).setFeatures(null).setEventTime(Instant.now().minusSeconds(60)).build();
    }

    private static byte[] pixels(TrainingExample e) {
        ByteBuffer b = e.getPixels().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void noTraceOfAnErasedSubjectRemainsOnDiskOrInAnyTopic() throws Exception {
        Path kafkaDir = dir.resolve("kafka");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(kafkaDir, true)) {
            String bootstrap = broker.bootstrapServers();
            LetheConfig config = TestData.config(dir, "bootstrap.servers", bootstrap, "lethe.application.id", "forensic",
                    "lethe.input.dim", Integer.toString(DIM), "lethe.purge.interval.ms", "500",
                    "lethe.topic.segment.ms", "1000", "lethe.publish.idle.ms", "300", "lethe.snapshot.every.examples", "40");
            SplittableRandom random = new SplittableRandom(7);
            List<TrainingExample> examples = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                examples.add(example("person-" + (char) ('a' + i % 12) + "-kept", i, random));
            }
            List<String> erasedSubjects = List.of("person-b-kept", "person-e-kept", "person-h-kept");
            List<TrainingExample> erased = examples.stream().filter(e -> erasedSubjects.contains(e.getSubjectId())).toList();
            List<TrainingExample> retained = examples.stream().filter(e -> !erasedSubjects.contains(e.getSubjectId())).toList();
            AtomicBoolean trickling = new AtomicBoolean(true);
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaProducer<String, byte[]> producer = TestClients.producer(bootstrap);
                 KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(bootstrap, LetheTopics.ERASURE_RECEIPTS)) {
                for (TrainingExample e : examples) {
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                Thread.sleep(1500);
                for (String subject : erasedSubjects) {
                    ErasureRequest request = TestData.erasure(UUID.randomUUID().toString(), ErasureScope.SUBJECT, subject,
                            List.of(), null, null);
                    producer.send(new ProducerRecord<>(LetheTopics.ERASURES, subject, AvroCodec.ERASURE_REQUEST.encode(request)));
                }
                producer.flush();
                List<ErasureReceipt> answered = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (answered.size() < erasedSubjects.size() && System.nanoTime() < deadline) {
                    receipts.poll(Duration.ofMillis(200)).forEach(r -> answered.add(AvroCodec.ERASURE_RECEIPT.decode(r.value())));
                }
                assertEquals(erasedSubjects.size(), answered.size(), "one receipt per request: " + answered);
                answered.forEach(receipt -> assertEquals(ReceiptStatus.COMPLETED, receipt.getStatus()));
                long receiptsAt = System.nanoTime();
                Thread trickle = new Thread(() -> {
                    SplittableRandom r = new SplittableRandom(99);
                    for (int i = 10_000; trickling.get(); i++) {
                        TrainingExample e = example("trickle-subject", i, r);
                        producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(),
                                AvroCodec.TRAINING_EXAMPLE.encode(e)));
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException ex) {
                            return;
                        }
                    }
                });
                trickle.setDaemon(true);
                trickle.start();
                try {
                    List<String> traces = List.of("not scanned yet");
                    while (System.nanoTime() - receiptsAt < HORIZON_LIMIT.toNanos()) {
                        traces = traces(List.of(kafkaDir, config.stateDir(), config.modelStoreDir()), bootstrap, erased,
                                erasedSubjects, retained);
                        if (traces.isEmpty()) {
                            break;
                        }
                        Thread.sleep(2000);
                    }
                    double horizon = (System.nanoTime() - receiptsAt) / 1e9;
                    assertTrue(traces.isEmpty(), "after " + HORIZON_LIMIT + ": " + traces);
                    System.out.printf("forensic horizon: %.1f s from the last receipt until no trace on disk or in any"
                            + " topic (segment.ms 1 s, purge every 0.5 s, broker retention check 10 s)%n", horizon);
                    Files.writeString(Path.of("target", "forensic-horizon.txt"), String.format("%.1f%n", horizon));

                    ErasureAudit audit = new ErasureAudit(config, bootstrap);
                    for (String subject : erasedSubjects) {
                        ErasureAudit.Report report = audit.subject(subject);
                        assertEquals(0, report.readable(), "lethe audit agrees: " + report.findings());
                    }
                    ErasureAudit.Report kept = audit.subject("person-a-kept");
                    assertTrue(kept.readable() > 0, "the audit finds a retained subject's data: " + kept.findings());
                } finally {
                    trickling.set(false);
                    trickle.join(2000);
                }
            }
        }
    }

    /** Every trace still found: erased pixels or ids in files or topics, retained pixels in the clear outside the input topic. */
    private static List<String> traces(List<Path> roots, String bootstrap, List<TrainingExample> erased,
                                       List<String> erasedSubjects, List<TrainingExample> retained) throws Exception {
        Map<String, byte[]> erasedPatterns = new HashMap<>();
        erased.forEach(e -> erasedPatterns.put("pixels of erased " + e.getExampleId(), pixels(e)));
        erasedSubjects.forEach(s -> erasedPatterns.put("erased subject id " + s, s.getBytes(StandardCharsets.UTF_8)));
        Map<String, byte[]> retainedPatterns = new HashMap<>();
        retained.forEach(e -> retainedPatterns.put("pixels of retained " + e.getExampleId() + " in the clear", pixels(e)));
        List<String> found = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            List<Path> files = WorkFolders.regularFiles(root);
            for (Path file : files) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (java.io.IOException e) {
                    continue; // deleted while scanning
                }
                scan(bytes, erasedPatterns, "file " + root.relativize(file), found);
                boolean inputTopic = file.toString().contains(LetheTopics.EXAMPLES + "-");
                if (!inputTopic) {
                    scan(bytes, retainedPatterns, "file " + root.relativize(file), found);
                }
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .names().get()) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        for (byte[] part : new byte[][] {r.key(), r.value()}) {
                            if (part != null) {
                                scan(part, erasedPatterns, "topic " + topic, found);
                            }
                        }
                    }
                }
            }
        }
        return found.stream().distinct().toList();
    }

    private static void scan(byte[] bytes, Map<String, byte[]> patterns, String where, List<String> found) {
        patterns.forEach((what, pattern) -> {
            if (ErasureAuditAccess.contains(bytes, pattern)) {
                found.add(what + " in " + where);
            }
        });
    }
}
