package io.lethe.tools.audit;

import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.LearnerCommand;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.privacy.KeyEncryptionKey;
import io.lethe.streams.privacy.SealedValue;
import io.lethe.streams.privacy.SubjectKeys;
import io.lethe.streams.topology.JournalEvent;
import io.lethe.streams.topology.StoreNames;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every topic, store changelog, learner snapshot and the model store of one Lethe application
 * and reports each copy of a subject's data it finds: readable (in the clear, or sealed under a data
 * key that still exists anywhere, the keys changelog before compaction included), unreadable (sealed
 * under a destroyed key), or a reference only (the keyed hash that keeps late examples erased).
 * Topics are read uncommitted: aborted transactions' records are on disk too.
 */
public final class ErasureAudit {

    /** One kind of copy found in one place. */
    public record Finding(String where, Kind kind, long count, String detail) {
    }

    public enum Kind {
        /** The data (or the subject id) can be read: in the clear, or with a key that still exists. */
        READABLE,
        /** Sealed under a destroyed data key: bytes remain until compaction or deletion, unreadable. */
        UNREADABLE,
        /** Only the keyed hash of the subject id (erasure watermarks, pending requests): not the data. */
        REFERENCE
    }

    /** Everything found; {@link #readable()} is what must be zero after an erasure. */
    public record Report(String subject, List<Finding> findings) {
        public long readable() {
            return findings.stream().filter(f -> f.kind() == Kind.READABLE).mapToLong(Finding::count).sum();
        }

        public long unreadable() {
            return findings.stream().filter(f -> f.kind() == Kind.UNREADABLE).mapToLong(Finding::count).sum();
        }
    }

    private final LetheConfig config;
    private final String bootstrap;
    private final KeyEncryptionKey kek;

    public ErasureAudit(LetheConfig config, String bootstrap) {
        this.config = config;
        this.bootstrap = bootstrap;
        this.kek = config.privacy().loadKek();
    }

    private String changelog(String store) {
        return config.applicationId() + "-" + store + "-changelog";
    }

    /** Audits one subject's copies. */
    public Report subject(String subjectId) throws IOException {
        String ref = kek == null ? subjectId : kek.subjectRef(subjectId);
        Map<String, Long> counts = new java.util.TreeMap<>();
        Map<String, String> details = new HashMap<>();
        Consumer<String> add = key -> counts.merge(key, 1L, Long::sum);

        // Data keys: the live one (latest record) and every record still in the changelog.
        List<byte[]> keyRecords = new ArrayList<>();
        byte[][] live = {null};
        readAll(changelog(StoreNames.SUBJECT_KEYS), r -> {
            if (ref.equals(key(r))) {
                live[0] = r.value();
                if (r.value() != null) {
                    keyRecords.add(r.value());
                }
            }
        });
        if (live[0] != null) {
            add.accept("READABLE|key:subject|data key " + SubjectKeys.keyIdOfRecord(live[0]) + " exists");
        } else if (!keyRecords.isEmpty()) {
            add.accept("REFERENCE|topic:" + changelog(StoreNames.SUBJECT_KEYS) + "|destroyed key's wrapped record, until"
                    + " compaction (opens the sealed copies counted readable below)");
        }

        readAll(LetheTopics.EXAMPLES, r -> {
            TrainingExample e = decode(() -> AvroCodec.TRAINING_EXAMPLE.decode(r.value()));
            if (e != null && subjectId.equals(e.getSubjectId())) {
                add.accept("READABLE|topic:" + LetheTopics.EXAMPLES + "|examples in the clear (purged once every reader committed)");
            }
        });
        readAll(LetheTopics.ERASURES, r -> {
            ErasureRequest q = decode(() -> AvroCodec.ERASURE_REQUEST.decode(r.value()));
            if (q != null && subjectId.equals(q.getSubjectId())) {
                add.accept("READABLE|topic:" + LetheTopics.ERASURES + "|the erasure request names the subject id");
            }
        });
        readAll(LetheTopics.learnerCommands(config.applicationId()), r -> {
            LearnerCommand c = decode(() -> AvroCodec.LEARNER_COMMAND.decode(r.value()));
            if (c != null && c.getCommand() instanceof TrainingExample e && subjectId.equals(e.getSubjectId())) {
                add.accept("READABLE|topic:" + LetheTopics.learnerCommands(config.applicationId()) + "|examples in transit");
            } else if (c != null && c.getCommand() instanceof ErasureRequest q && subjectId.equals(q.getSubjectId())) {
                add.accept("READABLE|topic:" + LetheTopics.learnerCommands(config.applicationId()) + "|the request in transit");
            }
        });
        String prefix = ref + "\u0000";
        for (String store : List.of(StoreNames.RETAINED_EXAMPLES, StoreNames.REPLAY_BUFFER)) {
            int skip = store.equals(StoreNames.REPLAY_BUFFER) ? 12 : 0; // task and offers seen come first
            readAll(changelog(store), r -> {
                String k = key(r);
                if (k != null && k.startsWith(prefix) && r.value() != null) {
                    byte[] value = java.util.Arrays.copyOfRange(r.value(), skip, r.value().length);
                    add.accept(classify(ref, value, keyRecords) + "|topic:" + changelog(store) + "|rows (changelog records"
                            + " until compaction)");
                }
            });
        }
        readAll(changelog(StoreNames.LEARNER_JOURNAL), r -> {
            if (r.value() == null) {
                return;
            }
            JournalEvent event = decode(() -> JournalEvent.decode(r.value()));
            if (event != null && !event.learn() && event.exampleKey().startsWith(prefix)) {
                add.accept(classify(ref, event.exampleBytes(), keyRecords) + "|topic:" + changelog(StoreNames.LEARNER_JOURNAL)
                        + "|unlearn events holding the example");
            }
        });
        readAll(changelog(StoreNames.ERASURE_WATERMARKS), r -> {
            if (("subject:" + ref).equals(key(r)) && r.value() != null) {
                add.accept("REFERENCE|topic:" + changelog(StoreNames.ERASURE_WATERMARKS) + "|keyed hash, kept so that late"
                        + " examples stay erased");
            }
        });
        snapshots(ref, add);
        fileScan(subjectId, add);
        checkpoints(add);

        List<Finding> findings = new ArrayList<>();
        counts.forEach((key, count) -> {
            String[] parts = key.split("\\|", 3);
            findings.add(new Finding(parts[1], Kind.valueOf(parts[0]), count, parts[2]));
        });
        return new Report(subjectId, findings);
    }

    /** A sealed value is readable when any data-key record still around opens it. */
    private String classify(String ref, byte[] value, List<byte[]> keyRecords) {
        if (!SealedValue.isSealed(value)) {
            return "READABLE";
        }
        for (byte[] record : keyRecords) {
            if (SubjectKeys.openWith(kek, ref, record, value).isPresent()) {
                return "READABLE";
            }
        }
        return "UNREADABLE";
    }

    /** Learner snapshots: readable when their key exists; a readable one holding the subject reference counts. */
    private void snapshots(String ref, Consumer<String> add) throws IOException {
        Path folder = config.stateDir().resolve("learner-snapshots").resolve(config.modelName());
        if (!Files.isDirectory(folder)) {
            return;
        }
        Map<String, byte[]> keys = new HashMap<>();
        readAll(changelog(StoreNames.SUBJECT_KEYS), r -> {
            String k = key(r);
            if (k != null && k.startsWith("#snapshot-")) {
                if (r.value() == null) {
                    keys.remove(k);
                } else {
                    keys.put(k, r.value());
                }
            }
        });
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(p -> p.getFileName().toString().startsWith("snapshot-")).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                String name = file.getFileName().toString();
                long seq = Long.parseLong(name.substring("snapshot-".length(), name.indexOf('.')));
                byte[] record = keys.get("#snapshot-" + seq);
                Optional<byte[]> plain = !SealedValue.isSealed(bytes) ? Optional.of(bytes)
                        : record == null ? Optional.empty() : SubjectKeys.openWith(kek, "#snapshot-" + seq, record, bytes);
                if (plain.isEmpty()) {
                    add.accept("UNREADABLE|file:" + file + "|learner snapshot under a destroyed key");
                } else if (contains(plain.get(), ref.getBytes(StandardCharsets.UTF_8))) {
                    add.accept("READABLE|file:" + file + "|learner snapshot holding the subject's examples");
                }
            }
        }
    }

    /** Every file under the state folder and the model store: the subject id in the clear. */
    private void fileScan(String subjectId, Consumer<String> add) throws IOException {
        byte[] id = subjectId.getBytes(StandardCharsets.UTF_8);
        for (Path root : List.of(config.stateDir(), config.modelStoreDir())) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            for (Path file : io.lethe.tools.WorkFolders.regularFiles(root)) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException e) {
                    continue; // deleted while walking
                }
                if (contains(bytes, id)) {
                    Path folder = root.relativize(file).getParent();
                    add.accept("READABLE|files:" + root.resolve(folder == null ? Path.of("") : folder) + "|files holding"
                            + " the subject id in the clear (e.g. input topic segments not yet deleted)");
                }
            }
        }
    }

    /** Checkpoints of versions a revocation covers, still in the model store. */
    private void checkpoints(Consumer<String> add) throws IOException {
        long[] revokedBelow = {0};
        readAll(LetheTopics.MODEL_VERSIONS, r -> {
            ModelVersion v = r.value() == null ? null : decode(() -> AvroCodec.MODEL_VERSION.decode(r.value()));
            if (v != null && v.getModelName().equals(config.modelName()) && v.getRevokesBelow() != null) {
                revokedBelow[0] = Math.max(revokedBelow[0], v.getRevokesBelow());
            }
        });
        CheckpointStore store = new CheckpointStore(config.modelStoreDir());
        for (long v = 1; v < revokedBelow[0]; v++) {
            if (store.readManifest(config.modelName(), v).isPresent()) {
                add.accept("READABLE|model store|revoked versions whose manifest and checkpoint are still there");
            }
        }
    }

    /** The receipt of a request, and the request itself if the erasures topic still holds it. */
    public record RequestView(ErasureReceipt receipt, ErasureRequest request) {
    }

    public RequestView request(String requestId) {
        ErasureReceipt[] receipt = {null};
        ErasureRequest[] request = {null};
        readAll(LetheTopics.ERASURE_RECEIPTS, r -> {
            ErasureReceipt x = decode(() -> AvroCodec.ERASURE_RECEIPT.decode(r.value()));
            if (x != null && x.getRequestId().equals(requestId) && x.getModelName().equals(config.modelName())) {
                receipt[0] = x;
            }
        });
        readAll(LetheTopics.ERASURES, r -> {
            ErasureRequest x = decode(() -> AvroCodec.ERASURE_REQUEST.decode(r.value()));
            if (x != null && requestId.equals(x.getRequestId())) {
                request[0] = x;
            }
        });
        return new RequestView(receipt[0], request[0]);
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    private static <T> T decode(java.util.function.Supplier<T> decoder) {
        try {
            return decoder.get();
        } catch (RuntimeException e) {
            return null; // not this kind of record (a dead letter, a foreign producer's bytes)
        }
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Every record of a topic still on the brokers, aborted transactions' included; nothing when it does not exist. */
    private void readAll(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 120 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            // a store this learner kind does not have
        }
    }

    /** Prints the report as a table. */
    public static void print(Report report, PrintStream out) {
        out.printf("%-11s %7s  %-58s %s%n", "kind", "copies", "where", "what");
        for (Finding f : report.findings()) {
            out.printf("%-11s %7d  %-58s %s%n", f.kind(), f.count(), f.where(), f.detail());
        }
        out.printf("subject %s: %d readable copies, %d unreadable (sealed under destroyed keys)%n", report.subject(),
                report.readable(), report.unreadable());
    }

}
