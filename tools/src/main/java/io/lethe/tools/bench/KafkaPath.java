package io.lethe.tools.bench;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.learning.data.ImageDataset;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.app.LetheApplication;
import io.lethe.streams.app.LetheClients;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The real topology on the embedded broker, driven as a producer would: all of MNIST's training set
 * produced at once (60 examples per subject), timed from the first send to the first version that
 * covers every example; then one class erasure, while the whole class is retained, and single-subject
 * erasures one at a time (request produced to receipt consumed). Optionally with the replay network's
 * application learning the same stream beside it, to measure what it costs the analytic model.
 *
 * <p>Before anything is timed, the same applications learn {@link #WARM_UP_EXAMPLES} examples on a
 * broker of their own, which is then deleted, and then all of MNIST again on a new broker, for
 * {@link #WARM_UP_ROUNDS} rounds. The broker, the clients and the topology run in this one JVM, and
 * the JIT compiles their code long after the learner's: Kafka's request handlers, fetchers and
 * producers run once per request, not per record, so they reach the optimising compiler late. The
 * JIT's compiler threads took 35 % of the CPU in the first round, 22 % in the second, 9 % in the
 * third and 4 to 6 % in the fourth and fifth, and the rate rose from about 2,150 to about 4,000
 * examples/s. A stream runs for hours, and the in-memory learner it is compared with is warmed too,
 * so the warm rate is the one with a target; the first round's rate is reported beside it.
 */
final class KafkaPath {

    /** Erasures before the timed ones, on other subjects (see the warm-up comment in {@link #run}). */
    static final int WARM_UP_ERASURES = 150;

    /** The replay network's application id: its threads' names carry it, so CPU time is counted apart. */
    static final String REPLAY_APPLICATION_ID = "lethe-bench-replay";

    /** The class the timed run erases, and the one the warm-up runs erase to compile that path. */
    static final int TIMED_CLASS = 3;
    private static final int WARM_UP_CLASS = 5;

    /**
     * What one run measured.
     *
     * @param stages per timed erasure, where the learner's receipt says its time went (arrival, state
     *               removal, model unlearning, publication; ms)
     */
    record Result(double examplesPerSecond, double coldExamplesPerSecond, String warmUp, CpuAccount.Spent learningCpu,
                  double[] subjectErasureMs, double[] untilReceiptWrittenMs, double examplesPerSubject,
                  double classErasureMs, int classExamples,
                  double residual, double warmUpSlowestMs, String[] stages) {
    }

    /** Examples the warm-up applications learn on their own broker before the timed run. */
    static final int WARM_UP_EXAMPLES = 30_000;

    /** Rounds of all of MNIST after the first warm-up (see the class comment). */
    static final int WARM_UP_ROUNDS = 3;

    /** The erasure count that tells {@link #timed} to learn only: no timed erasures, not even the class one. */
    static final int LEARN_ONLY = -1;

    private static String stages(ErasureReceipt receipt) {
        Map<String, Double> m = receipt.getMetrics();
        return String.format(java.util.Locale.ROOT, "arrival %.0f (validator %.0f), stores %.0f, model %.0f,"
                + " publication %.0f", m.getOrDefault("arrival_ms", Double.NaN),
                m.getOrDefault("validation_ms", Double.NaN), m.getOrDefault("state_removal_ms", Double.NaN),
                m.getOrDefault("model_unlearning_ms", Double.NaN), m.getOrDefault("publication_ms", Double.NaN));
    }

    private static final int EXAMPLES_PER_SUBJECT = 60;

    private KafkaPath() {
    }

    static Result run(ImageDataset train, Path work, int erasures, boolean withReplay, Properties overrides, PrintStream out)
            throws Exception {
        io.lethe.tools.WorkFolders.deleteRecursively(work);
        out.printf("  warm-up: %,d examples through applications and a broker of their own (not timed as the result) ...%n",
                WARM_UP_EXAMPLES);
        try {
            double cold = timed(train, WARM_UP_EXAMPLES, work.resolve("warm-up"), LEARN_ONLY, withReplay, overrides, out,
                    Double.NaN, "").examplesPerSecond();
            List<String> rates = new java.util.ArrayList<>(List.of(String.format("%,.0f", cold)));
            for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
                out.printf("  warm-up round %d of %d: all of MNIST again on a new broker ...%n", round, WARM_UP_ROUNDS);
                double rate = timed(train, train.size(), work.resolve("warm-up-" + round), LEARN_ONLY, withReplay,
                        overrides, out, Double.NaN, "").examplesPerSecond();
                rates.add(String.format("%,.0f", rate));
            }
            String warmUp = String.format("%,d + %d x %,d examples on brokers of their own (%s examples/s)",
                    WARM_UP_EXAMPLES, WARM_UP_ROUNDS, train.size(), String.join(", ", rates));
            return timed(train, train.size(), work.resolve("timed"), erasures, withReplay, overrides, out, cold, warmUp);
        } finally {
            io.lethe.tools.WorkFolders.deleteRecursively(work);
        }
    }

    private static Result timed(ImageDataset train, int n, Path work, int erasures, boolean withReplay, Properties overrides,
                                PrintStream out, double cold, String warmUp) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), true)) {
            Properties p = new Properties();
            p.putAll(overrides);
            p.putAll(benchSettings(broker.bootstrapServers(), work));
            p.setProperty("lethe.kek.file", work.resolve("lethe.kek").toString());
            io.lethe.streams.privacy.KeyEncryptionKey.createFile(work.resolve("lethe.kek"));
            LetheConfig config = LetheConfig.from(p);
            LetheApplication replay = null;
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaProducer<String, byte[]> producer = LetheClients.producer(broker.bootstrapServers());
                 KafkaConsumer<String, byte[]> versions = LetheClients.committedConsumer(broker.bootstrapServers(),
                         "bench-", LetheTopics.MODEL_VERSIONS);
                 KafkaConsumer<String, byte[]> receipts = LetheClients.committedConsumer(broker.bootstrapServers(),
                         "bench-", LetheTopics.ERASURE_RECEIPTS)) {
                if (withReplay) {
                    Properties r = new Properties();
                    r.putAll(p);
                    r.setProperty("lethe.learner", "mlp");
                    r.setProperty("lethe.model.name", "bench-replay");
                    r.setProperty("lethe.application.id", REPLAY_APPLICATION_ID);
                    r.setProperty("lethe.state.dir", work.resolve("state-replay").toString());
                    r.setProperty("lethe.model.store.dir", work.resolve("models-replay").toString());
                    replay = LetheApplication.start(LetheConfig.from(r));
                }
                receipts.poll(Duration.ofMillis(100)); // join before the first request
                out.printf("  producing %,d MNIST examples%s ...%n", n, withReplay ? " (the replay network learns them too)" : "");
                long started = System.nanoTime();
                CpuAccount cpu = CpuAccount.start();
                for (int i = 0; i < n; i++) {
                    TrainingExample e = TrainingExample.newBuilder().setExampleId("mnist-train-" + i)
                            .setSubjectId("subject-" + i / EXAMPLES_PER_SUBJECT).setTask(train.labels()[i] / 2)
                            .setLabel(train.labels()[i]).setPixels(ByteBuffer.wrap(train.pixels()[i])).setFeatures(null)
                            .setEventTime(Instant.now()).build();
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                StreamWaits.awaitLearned(versions, config.modelName(), n, Duration.ofMinutes(15));
                double rate = n / ((System.nanoTime() - started) / 1e9);
                CpuAccount.Spent spent = cpu.stop();
                out.printf("  learned at %,.0f examples/s, first send to the version covering all; %.2f cores busy: %s%n",
                        rate, spent.busyCores(), spent.describe());
                if (withReplay || erasures == LEARN_ONLY) { // with the replay network, erasures would retrain it
                    if (!withReplay) {
                        // The class-erasure path (a scan of thousands of sealed examples, one large downdate)
                        // is compiled here, on another class, so the timed class erasure, the first request
                        // of its run, pays no JIT.
                        erase(producer, receipts, config.modelName(), request("bench-warm-class", ErasureScope.CLASS,
                                null, WARM_UP_CLASS));
                    }
                    return new Result(rate, cold, warmUp, spent, new double[0], new double[0], Double.NaN,
                            Double.NaN, 0, Double.NaN, Double.NaN, new String[0]);
                }
                // The class erasure first, while every example of the class is retained (6,131 of class 3: the
                // size the target names); after the subject erasures below only about 4,000 would be left.
                long classSent = System.nanoTime();
                ErasureReceipt classReceipt = erase(producer, receipts, config.modelName(),
                        request("bench-class-" + TIMED_CLASS, ErasureScope.CLASS, null, TIMED_CLASS));
                double classMs = (System.nanoTime() - classSent) / 1e6;
                String message = classReceipt.getMessage();
                Double stateMs = classReceipt.getMetrics().get("state_removal_ms");
                out.printf("  class %d (%,d examples) erased in %.0f ms (%s%s; stages: %s, receipt written after"
                                + " %d ms)%n",
                        TIMED_CLASS, classReceipt.getExamplesRemoved(), classMs,
                        message.contains("learner time") ? message.substring(message.indexOf("learner time")) : message,
                        stateMs == null ? "" : String.format("; of the unlearning, %.0f ms removing the examples"
                                + " from the stores and journalling them", stateMs), stages(classReceipt),
                        classReceipt.getLatencyMs());
                double[] latencies = new double[erasures];
                double[] written = new double[erasures];
                String[] stages = new String[erasures];
                double residual = 0;
                long subjectExamples = 0;
                // Warm-up: the erasure path's code (prefix scans, sealing, the rank-n update) is compiled by
                // the JIT during the first requests, which took up to 200 ms; the target is the service's
                // steady state, so these requests (other subjects) are timed apart and reported, not counted.
                // Once, between the 94th and the 124th request after the learning, one request waits about
                // 50 ms before the validator reads it, in every run and with any learner, and never again
                // over 400 more: with 20 warm-up requests it fell among the timed ones (and decided p99).
                double warmUpSlowest = 0;
                for (int k = erasures; k < erasures + WARM_UP_ERASURES; k++) {
                    long sent = System.nanoTime();
                    ErasureReceipt receipt = erase(producer, receipts, config.modelName(), request("bench-warm-" + k,
                            ErasureScope.SUBJECT, "subject-" + (k * 7 % (n / EXAMPLES_PER_SUBJECT)), null));
                    warmUpSlowest = Math.max(warmUpSlowest, (System.nanoTime() - sent) / 1e6);
                    residual = Math.max(residual, receipt.getVerificationResidual());
                }
                out.printf("  %d warm-up erasures (not counted): slowest %.0f ms%n", WARM_UP_ERASURES, warmUpSlowest);
                for (int k = 0; k < erasures; k++) {
                    String subject = "subject-" + (k * 7 % (n / EXAMPLES_PER_SUBJECT));
                    long sent = System.nanoTime();
                    ErasureReceipt receipt = erase(producer, receipts, config.modelName(),
                            request("bench-" + k, ErasureScope.SUBJECT, subject, null));
                    latencies[k] = (System.nanoTime() - sent) / 1e6;
                    subjectExamples += receipt.getExamplesRemoved();
                    written[k] = receipt.getLatencyMs(); // request created to receipt written, by the learner's clock
                    stages[k] = stages(receipt) + ", sent " + java.time.LocalTime.ofInstant(
                            receipt.getRequestedAt(), java.time.ZoneOffset.UTC);
                    residual = Math.max(residual, receipt.getVerificationResidual());
                    if ((k + 1) % 50 == 0) {
                        out.printf("  %d erasures: p50 %.0f ms so far (receipt written after %.0f ms, p50)%n", k + 1,
                                PerformanceBench.percentile(java.util.Arrays.copyOf(latencies, k + 1), 50),
                                PerformanceBench.percentile(java.util.Arrays.copyOf(written, k + 1), 50));
                    }
                }
                residual = Math.max(residual, classReceipt.getVerificationResidual());
                return new Result(rate, cold, warmUp, spent, latencies, written, (double) subjectExamples / erasures,
                        classMs,
                        (int) classReceipt.getExamplesRemoved(), residual, warmUpSlowest, stages);
            } finally {
                if (replay != null) {
                    replay.close();
                }
            }
        } finally {
            io.lethe.tools.WorkFolders.deleteRecursively(work);
        }
    }

    /**
     * What every bench run of the real topology sets: its own state and model folders, no metrics
     * endpoint or dashboard, no continual evaluation, and a version only when input pauses.
     */
    static Properties benchSettings(String bootstrap, Path work) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("lethe.state.dir", work.resolve("state").toString());
        p.setProperty("lethe.model.store.dir", work.resolve("models").toString());
        p.setProperty("lethe.metrics.port", "-1");
        p.setProperty("lethe.dashboard.port", "-1");
        p.setProperty("lethe.eval.every.examples", "0");
        p.setProperty("lethe.publish.every.examples", "100000");
        p.setProperty("lethe.publish.idle.ms", "300");
        return p;
    }

    private static ErasureRequest request(String id, ErasureScope scope, String subject, Integer classLabel) {
        return ErasureRequest.newBuilder().setRequestId(id).setScope(scope).setSubjectId(subject).setExampleIds(List.of())
                .setClassLabel(classLabel).setTask(null).setRequestedAt(Instant.now()).setReason("bench").build();
    }

    private static ErasureReceipt erase(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> receipts,
                                        String model, ErasureRequest request) {
        String key = request.getSubjectId() != null ? request.getSubjectId() : request.getRequestId();
        producer.send(new ProducerRecord<>(LetheTopics.ERASURES, key, AvroCodec.ERASURE_REQUEST.encode(request)));
        producer.flush();
        return StreamWaits.awaitReceipt(receipts, model, request.getRequestId(), Duration.ofMinutes(2));
    }

}
