package io.lethe.tools.experiment;

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
        LearnerReports reports;
        try (io.lethe.tools.LocalLethe local = io.lethe.tools.LocalLethe.start(config);
             KafkaProducer<String, byte[]> producer = LetheClients.producer(local.app().bootstrapServers());
             KafkaConsumer<String, byte[]> versions = LetheClients.committedConsumer(local.app().bootstrapServers(),
                     "lethe-rehearsal-", LetheTopics.MODEL_VERSIONS)) {
            LetheApplication app = local.app();
            app.dashboardUrl().ifPresent(url -> progress.accept("  live dashboard: " + url));
            int evalSent = sendEvaluationSets(producer, tasks, config);
            if (evalSent > 0) {
                progress.accept(String.format(java.util.Locale.ROOT, "  %,d evaluation images (%d per task) sent to %s:"
                        + " the learner evaluates itself every %,d examples", evalSent, config.evalPerTask(),
                        LetheTopics.EVAL_EXAMPLES, config.evalEveryExamples()));
                Thread.sleep(1000); // the sets reach the learner before the first training example
            }
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
                io.lethe.learning.Predictor model = load(store, version);
                for (int j = 0; j < tasks.size(); j++) {
                    matrix.set(block, j, io.lethe.learning.metrics.Accuracy.percent(model, tests.get(j)));
                }
                progress.accept(String.format(java.util.Locale.ROOT,
                        "  block %d/%d learned through Kafka: %,d examples, model v%d, %.1f s", block + 1, tasks.size(),
                        produced, version.getVersion(), (lastVersionAt - started) / 1000.0));
            }
            reports = learnerReports(config, app.bootstrapServers());
        }
        double seconds = (lastVersionAt - started) / 1000.0;
        return new ScenarioRun.Result(matrix, untrained, reports.minAccuracy(), reports.gaps(), produced, -1, seconds);
    }

    /** Each task's first {@code lethe.eval.per.task} test images, to the learner's continual evaluation. */
    private static int sendEvaluationSets(KafkaProducer<String, byte[]> producer, List<TaskData> tasks,
                                          LetheConfig config) {
        if (config.evalEveryExamples() <= 0) {
            return 0;
        }
        int sent = 0;
        for (TaskData task : tasks) {
            for (int k = 0; k < Math.min(config.evalPerTask(), task.testIndices().length); k++) {
                TrainingExample held = TrainingExample.newBuilder().setExampleId("eval-t" + task.task() + "-" + k)
                        .setSubjectId("evaluation").setTask(task.task()).setLabel(task.testLabel(k))
                        .setPixels(ByteBuffer.wrap(task.testPixels(k))).setFeatures(null).setEventTime(Instant.now())
                        .build();
                producer.send(new ProducerRecord<>(LetheTopics.EVAL_EXAMPLES, "task-" + task.task(),
                        AvroCodec.TRAINING_EXAMPLE.encode(held)));
                sent++;
            }
        }
        producer.flush();
        return sent;
    }

    private record LearnerReports(double minAccuracy, List<io.lethe.learning.metrics.StabilityGap.Gap> gaps) {
    }

    /** The learner's own continual evaluations of this run, through the dashboard's event logic. */
    private static LearnerReports learnerReports(LetheConfig config, String bootstrap) {
        if (config.evalEveryExamples() <= 0) {
            return new LearnerReports(Double.NaN, List.of());
        }
        io.lethe.streams.dashboard.DashboardEvents events = new io.lethe.streams.dashboard.DashboardEvents();
        double[] minAccuracy = {Double.NaN};
        LetheClients.readUntilQuiet(bootstrap, "lethe-rehearsal-evaluations-", LetheTopics.EVALUATIONS, 1500, record -> {
            io.lethe.schemas.EvaluationReport report = AvroCodec.EVALUATION_REPORT.decode(record.value());
            if (report.getModelName().equals(config.modelName())) {
                events.accept(LetheTopics.EVALUATIONS, record.value());
                minAccuracy[0] = report.getMetrics().getOrDefault("min_acc", minAccuracy[0]);
            }
        });
        return new LearnerReports(minAccuracy[0], events.gaps(config.modelName()));
    }

    private static io.lethe.learning.Predictor load(CheckpointStore store, ModelVersion version) throws IOException {
        return store.read(URI.create(version.getCheckpointUri()), version.getSha256(), io.lethe.learning.Predictor.class);
    }

    private static ModelVersion awaitLearned(KafkaConsumer<String, byte[]> versions, long target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : versions.poll(Duration.ofMillis(200))) {
                if (record.value() == null) {
                    continue; // a revoked version's entry
                }
                ModelVersion version = AvroCodec.MODEL_VERSION.decode(record.value());
                if (version.getLineage().getExamplesLearned() >= target) {
                    return version;
                }
            }
        }
        throw new IllegalStateException("no model version covering " + target + " examples within " + timeout);
    }
}
