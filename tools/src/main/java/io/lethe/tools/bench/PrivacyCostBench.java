package io.lethe.tools.bench;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.app.LetheApplication;
import io.lethe.streams.app.LetheClients;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What sealing and purging cost, side by side in one run: the same MNIST stream through the real
 * topology on an embedded broker, with encryption and purging on and off, alternating (on, off, on,
 * off) so that the machine's drift hits both. Learning throughput (first produce to the version that
 * covers every example) and single-subject erasure latency (request produced to receipt consumed).
 * Writes {@code var/privacy-cost.json}.
 */
public final class PrivacyCostBench {

    private static final int EXAMPLES = 6_000;
    private static final int SUBJECTS = 200;
    private static final int ERASURES = 40;

    private PrivacyCostBench() {
    }

    /** One run's figures. */
    record Run(boolean on, double examplesPerSecond, double erasureP50Ms, double erasureP90Ms) {
    }

    public static void run(Path data, Path out, PrintStream console) throws Exception {
        ImageDataset train = MnistIdx.load(data, true);
        List<Run> runs = new ArrayList<>();
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        console.printf("privacy cost: %,d MNIST examples of %d subjects, then %d single-subject erasures one at a time;"
                + " encryption and purging on/off alternating, 2 runs each%n", EXAMPLES, SUBJECTS, ERASURES);
        for (int i = 0; i < 4; i++) {
            boolean on = i % 2 == 0;
            Run run = once(train, on, Base64.getEncoder().encodeToString(kek), out.getParent().resolve("privacy-cost-work")
                    .resolve("run-" + i));
            console.printf("  run %d  %-3s  %,8.0f examples/s   erasure p50 %6.1f ms   p90 %6.1f ms%n", i + 1,
                    on ? "on" : "off", run.examplesPerSecond(), run.erasureP50Ms(), run.erasureP90Ms());
            runs.add(run);
        }
        double onRate = mean(runs, true, Run::examplesPerSecond);
        double offRate = mean(runs, false, Run::examplesPerSecond);
        double onP50 = mean(runs, true, Run::erasureP50Ms);
        double offP50 = mean(runs, false, Run::erasureP50Ms);
        double throughputCost = 100 * (1 - onRate / offRate);
        double addedP50 = onP50 - offP50;
        console.printf("%n| measure | off | on | cost | target | met |%n|---|---|---|---|---|---|%n");
        console.printf("| learning throughput (examples/s) | %,.0f | %,.0f | %.1f %% | <= 10 %% | %s |%n", offRate, onRate,
                throughputCost, throughputCost <= 10);
        console.printf("| single-subject erasure p50 (ms) | %.1f | %.1f | %+.1f ms | <= 20 ms | %s |%n", offP50, onP50,
                addedP50, addedP50 <= 20);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("examples", EXAMPLES);
        doc.put("erasures_per_run", ERASURES);
        doc.put("runs", runs.stream().map(r -> Map.of("encryption_and_purging", r.on(), "examples_per_second",
                r.examplesPerSecond(), "erasure_p50_ms", r.erasureP50Ms(), "erasure_p90_ms", r.erasureP90Ms())).toList());
        doc.put("throughput_cost_percent", throughputCost);
        doc.put("erasure_p50_added_ms", addedP50);
        doc.put("throughput_target_met", throughputCost <= 10);
        doc.put("erasure_target_met", addedP50 <= 20);
        doc.put("at", Instant.now().toString());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(doc));
        console.println("wrote " + out);
    }

    /** The mean of one figure over the runs of one mode (each mode ran twice, so never empty). */
    private static double mean(List<Run> runs, boolean on, java.util.function.ToDoubleFunction<Run> figure) {
        return runs.stream().filter(r -> r.on() == on).mapToDouble(figure).average().orElseThrow();
    }

    private static Run once(ImageDataset train, boolean on, String kek, Path work) throws Exception {
        io.lethe.tools.WorkFolders.deleteRecursively(work);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), true)) {
            Properties p = KafkaPath.benchSettings(broker.bootstrapServers(), work);
            p.setProperty("lethe.encryption", Boolean.toString(on));
            p.setProperty("lethe.purge.inputs", Boolean.toString(on));
            p.setProperty("lethe.purge.interval.ms", on ? "1000" : "0");
            if (on) {
                p.setProperty("lethe.kek", kek);
            }
            LetheConfig config = LetheConfig.from(p);
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaProducer<String, byte[]> producer = LetheClients.producer(broker.bootstrapServers());
                 KafkaConsumer<String, byte[]> versions = LetheClients.committedConsumer(broker.bootstrapServers(),
                         "bench-", LetheTopics.MODEL_VERSIONS);
                 KafkaConsumer<String, byte[]> receipts = LetheClients.committedConsumer(broker.bootstrapServers(),
                         "bench-", LetheTopics.ERASURE_RECEIPTS)) {
                receipts.poll(Duration.ofMillis(100)); // join before the first request
                long started = System.nanoTime();
                for (int i = 0; i < EXAMPLES; i++) {
                    TrainingExample e = TrainingExample.newBuilder().setExampleId("ex-" + i).setSubjectId("subject-" + i % SUBJECTS)
                            .setTask(0).setLabel(train.labels()[i]).setPixels(ByteBuffer.wrap(train.pixels()[i]))
                            .setFeatures(null).setEventTime(Instant.now()).build();
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                StreamWaits.awaitLearned(versions, null, EXAMPLES, Duration.ofMinutes(5));
                double rate = EXAMPLES / ((System.nanoTime() - started) / 1e9);
                double[] latencies = new double[ERASURES];
                for (int k = 0; k < ERASURES; k++) {
                    String subject = "subject-" + k;
                    ErasureRequest request = ErasureRequest.newBuilder().setRequestId("cost-" + k).setScope(ErasureScope.SUBJECT)
                            .setSubjectId(subject).setExampleIds(List.of()).setClassLabel(null).setTask(null)
                            .setRequestedAt(Instant.now()).build();
                    long sent = System.nanoTime();
                    producer.send(new ProducerRecord<>(LetheTopics.ERASURES, subject, AvroCodec.ERASURE_REQUEST.encode(request)));
                    producer.flush();
                    StreamWaits.awaitReceipt(receipts, null, request.getRequestId(), Duration.ofMinutes(1));
                    latencies[k] = (System.nanoTime() - sent) / 1e6;
                }
                Arrays.sort(latencies);
                return new Run(on, rate, latencies[ERASURES / 2], latencies[(int) (ERASURES * 0.9)]);
            }
        } finally {
            io.lethe.tools.WorkFolders.deleteRecursively(work);
        }
    }

}
