package io.lethe.streams.experiment;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.experiment.Scenario;
import io.lethe.learning.experiment.ScenarioRun;
import io.lethe.learning.experiment.TaskData;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.metrics.AccuracyMatrix;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.app.LetheApplication;
import io.lethe.streams.app.LetheClients;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Runs a scenario through Kafka: a producer sends each task block to {@code lethe.examples}; the
 * Lethe application (MLP with replay) learns it; at the end of each block the command waits for the
 * model version that covers everything sent, loads its checkpoint from the model store as any
 * subscriber would, and evaluates it on every task.
 */
final class KafkaScenarioRun {

    private KafkaScenarioRun() {
    }

    static ScenarioRun.Result run(Scenario scenario, LetheConfig config, Consumer<String> progress) throws Exception {
        List<TaskData> tasks = scenario.tasks();
        List<LabeledBatch> tests = tasks.stream().map(t -> t.testBatch(0)).toList();
        NetworkLearner evaluator = config.learner().newNetwork(config.featureMap().inputDim(), config.maxClasses());
        double[] untrained = new double[tasks.size()];
        for (int j = 0; j < tasks.size(); j++) {
            untrained[j] = io.lethe.learning.metrics.Accuracy.percent(evaluator, tests.get(j));
        }
        AccuracyMatrix matrix = new AccuracyMatrix(tasks.size());
        CheckpointStore store = new CheckpointStore(config.modelStoreDir());
        long produced = 0;
        long started;
        long lastVersionAt = 0;
        try (LetheApplication app = LetheApplication.start(config);
             KafkaProducer<String, byte[]> producer = LetheClients.producer(app.bootstrapServers());
             KafkaConsumer<String, byte[]> versions = LetheClients.committedConsumer(app.bootstrapServers(),
                     "lethe-rehearsal-", LetheTopics.MODEL_VERSIONS)) {
            started = System.currentTimeMillis();
            int segmentIndex = 0;
            for (int block = 0; block < tasks.size(); block++) {
                for (; segmentIndex < scenario.blockEnds().get(block); segmentIndex++) {
                    Scenario.Segment segment = scenario.segments().get(segmentIndex);
                    TaskData task = tasks.get(segment.task());
                    for (int index : segment.indices()) {
                        long now = System.currentTimeMillis();
                        TrainingExample example = TrainingExample.newBuilder()
                                .setExampleId("t" + task.task() + "-" + index + "-" + produced)
                                .setSubjectId("subject-" + (index % 1000))
                                .setTask(task.task())
                                .setLabel(task.label(index))
                                .setPixels(ByteBuffer.wrap(task.pixels(index)))
                                .setFeatures(null)
                                .setEventTime(Instant.ofEpochMilli(now))
                                .build();
                        producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, null, now, example.getSubjectId(),
                                AvroCodec.TRAINING_EXAMPLE.encode(example)));
                        produced++;
                    }
                }
                producer.flush();
                ModelVersion version = awaitLearned(versions, produced, Duration.ofMinutes(20));
                lastVersionAt = version.getCreatedAt().toEpochMilli();
                NetworkLearner model = load(store, version, config);
                for (int j = 0; j < tasks.size(); j++) {
                    matrix.set(block, j, io.lethe.learning.metrics.Accuracy.percent(model, tests.get(j)));
                }
                progress.accept(String.format(java.util.Locale.ROOT,
                        "  block %d/%d learned through Kafka: %,d examples, model v%d, %.1f s", block + 1, tasks.size(),
                        produced, version.getVersion(), (lastVersionAt - started) / 1000.0));
            }
        }
        double seconds = (lastVersionAt - started) / 1000.0;
        return new ScenarioRun.Result(matrix, untrained, Double.NaN, List.of(), produced, -1, seconds);
    }

    private static NetworkLearner load(CheckpointStore store, ModelVersion version, LetheConfig config) throws IOException {
        return config.learner().restoreNetwork(store.readBytes(URI.create(version.getCheckpointUri()), version.getSha256()),
                config.featureMap().inputDim(), config.maxClasses());
    }

    private static ModelVersion awaitLearned(KafkaConsumer<String, byte[]> versions, long target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : versions.poll(Duration.ofMillis(200))) {
                ModelVersion version = AvroCodec.MODEL_VERSION.decode(record.value());
                if (version.getLineage().getExamplesLearned() >= target) {
                    return version;
                }
            }
        }
        throw new IllegalStateException("no model version covering " + target + " examples within " + timeout);
    }
}
