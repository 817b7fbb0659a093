package io.lethe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.app.LetheApplication;
import io.lethe.broker.EmbeddedKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus endpoint of a running Lethe, scraped and checked line by line against the text format. */
class MetricsEndpointIT {

    /** A sample line: name, optional {label="value",...}, a float value, optional timestamp. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*\\})?"
                    + " (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

    @TempDir
    Path dir;

    @Test
    void theEndpointServesValidExpositionWithLetheJvmAndKafkaStreamsMetrics() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            LetheConfig config = TestData.config(dir, "bootstrap.servers", broker.bootstrapServers(),
                    "lethe.application.id", "lethe-metrics-it-" + UUID.randomUUID().toString().substring(0, 8),
                    "lethe.metrics.port", "0", "lethe.publish.idle.ms", "300");
            try (LetheApplication app = LetheApplication.start(config);
                 KafkaProducer<String, byte[]> producer = TestClients.producer(broker.bootstrapServers());
                 KafkaConsumer<String, byte[]> receipts = TestClients.committedConsumer(broker.bootstrapServers(),
                         LetheTopics.ERASURE_RECEIPTS)) {
                assertTrue(app.metricsPort() > 0);
                for (TrainingExample e : TestData.examples(31, 0, 60, 6)) {
                    producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, e.getSubjectId(), AvroCodec.TRAINING_EXAMPLE.encode(e)));
                }
                producer.flush();
                // Examples and erasures travel on different topics, so the request could be read first and
                // (correctly) answer NOTHING_TO_ERASE; this test is about the endpoint, so it waits for the examples.
                HttpClient http = HttpClient.newHttpClient();
                long learnedBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!scrape(http, app).contains("lethe_examples_learned{model=\"test-model\"} 60.0")
                        && System.nanoTime() < learnedBy) {
                    Thread.sleep(200);
                }
                producer.send(new ProducerRecord<>(LetheTopics.ERASURES, "subject-1", AvroCodec.ERASURE_REQUEST.encode(
                        TestData.erasure("erase-1", ErasureScope.SUBJECT, "subject-1", List.of(), null, null)))).get();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (receipts.poll(Duration.ofMillis(200)).isEmpty() && System.nanoTime() < deadline) {
                    // wait for the receipt
                }
                String body = "";
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!body.contains("lethe_erasure_receipts_total") && System.nanoTime() < deadline) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + app.metricsPort() + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, response.statusCode());
                    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
                    body = response.body();
                }
                int samples = 0;
                for (String line : body.split("\n")) {
                    if (line.isEmpty()) {
                        continue;
                    }
                    assertTrue(line.startsWith("#") ? COMMENT.matcher(line).matches() : SAMPLE.matcher(line).matches(),
                            "not valid exposition format: " + line);
                    samples += line.startsWith("#") ? 0 : 1;
                }
                assertTrue(samples > 50, samples + " samples");
                assertTrue(body.contains("lethe_erasure_receipts_total{model=\"test-model\",status=\"COMPLETED\"} 1.0"), body);
                assertTrue(body.contains("lethe_model_version{model=\"test-model\"}"));
                assertTrue(body.contains("lethe_examples_retained{model=\"test-model\"}"));
                assertTrue(body.contains("jvm_memory_used_bytes"), "JVM metrics beside Lethe's");
                assertTrue(body.contains("kafka_streams_stream_thread_metrics_process_rate"), "Kafka Streams metrics beside Lethe's");
            }
        }
    }

    private static String scrape(HttpClient http, LetheApplication app) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + app.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
