package io.lethe.tools.demo;

import io.lethe.learning.analytic.JointRidge;
import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.analytic.RidgeSolver;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.modelstore.ModelSubscriber;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.ErasureScope;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.app.LetheApplication;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Split-MNIST, class-incremental, through Kafka: five tasks of two classes each, every example
 * owned by one of {@code subjects} data subjects; then single-subject erasures one at a time (for
 * latency) and one whole-class erasure; then the final model against ridge trained jointly on the
 * retained data with the same features.
 */
public final class SplitMnistDemo {

    private static final int TASKS = 5;

    private final Options options;
    private final PrintStream out;

    /** Demo settings: data folder, output folder, sizes of the erasure phase, and Lethe overrides. */
    /**
     * Demo settings: data folder, output folder, sizes of the erasure phase, Lethe overrides, whether an
     * MLP with experience replay learns beside the analytic learner, and how long the dashboard stays
     * up at the end (seconds; -1: until Enter is pressed, when there is a console).
     */
    public record Options(Path dataDir, Path workDir, Path summaryFile, int subjects, int subjectErasures,
                          int erasedClass, Properties overrides, long seed, boolean withReplayModel,
                          int keepOpenSeconds) {
    }

    public SplitMnistDemo(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    static String subjectOf(int trainIndex, int subjects) {
        return "subject-" + (trainIndex % subjects);
    }

    public DemoSummary run() throws Exception {
        long wallStart = System.nanoTime();
        out.println("== Lethe demo: Split-MNIST (class-incremental, 5 tasks) with exact analytic unlearning ==");
        ImageDataset train = MnistIdx.load(options.dataDir(), true);
        ImageDataset test = MnistIdx.load(options.dataDir(), false);
        out.printf("loaded MNIST: %,d training and %,d test images from %s%n", train.size(), test.size(), options.dataDir());

        io.lethe.tools.WorkFolders.deleteRecursively(options.workDir());
        Properties props = new Properties();
        props.setProperty("lethe.state.dir", options.workDir().resolve("state").toString());
        props.setProperty("lethe.model.store.dir", options.workDir().resolve("models").toString());
        props.setProperty("lethe.application.id", "lethe-demo");
        props.setProperty("lethe.publish.every.examples", "4000");
        props.setProperty("lethe.publish.idle.ms", "300");
        // Often enough to draw the stability gap: a transition's dip lasts a few hundred examples.
        props.setProperty("lethe.eval.every.examples", "500");
        props.putAll(options.overrides());
        LetheConfig config = LetheConfig.from(props);
        out.printf("feature map: %s (%,d features), ridge gamma %s%n", config.featureMap().kind(),
                config.featureMap().outputDim(), config.ridgeGamma());

        out.print("featurising the 10,000 test images once (the map is frozen) ... ");
        out.flush();
        long t = System.nanoTime();
        TestSetEvaluator evaluator = new TestSetEvaluator(test, config.featureMap());
        out.printf("%.1f s%n", (System.nanoTime() - t) / 1e9);

        out.println(config.embeddedBroker() ? "starting the embedded Kafka broker (KRaft) and Lethe ..."
                : "starting Lethe against " + config.bootstrapServers() + " ...");
        LetheApplication replay = null;
        AtomicReference<LetheApplication> replayToClose = new AtomicReference<>();
        // The replay model's application closes first: the analytic one owns the embedded broker.
        try (io.lethe.tools.LocalLethe local = io.lethe.tools.LocalLethe.start(config);
             AutoCloseable closeReplay = () -> {
                 if (replayToClose.get() != null) {
                     replayToClose.get().close();
                 }
             }) {
            LetheApplication app = local.app();
            String bootstrap = app.bootstrapServers();
            out.printf("Kafka at %s; topics %s%n", bootstrap, LetheTopics.ALL);
            app.dashboardUrl().ifPresent(url -> out.printf("live dashboard: %s  (open it now: accuracy curves, task"
                    + " transitions and erasures appear as they happen)%n", url));
            if (options.withReplayModel()) {
                LetheConfig replayConfig = ReplayCompanion.config(props, options.workDir(), bootstrap);
                if (!replayConfig.privacy().hasKek()) { // the embedded default's key, created for the first model
                    replayConfig = replayConfig.withPrivacy(app.config().privacy());
                }
                replay = LetheApplication.start(replayConfig);
                replayToClose.set(replay);
                out.printf("beside it: model '%s', an MLP %d-%d-%d-%d with experience replay (%s, %,d examples),"
                        + " learning the same stream in its own Kafka Streams application%n", ReplayCompanion.MODEL,
                        replayConfig.featureMap().inputDim(), replayConfig.learner().hidden(), replayConfig.learner().hidden(),
                        replayConfig.maxClasses(), replayConfig.learner().rehearsal().scheduler(),
                        replayConfig.learner().rehearsal().capacity());
                if (app.metricsPort() > 0 && replay.metricsPort() > 0) {
                    out.printf("Prometheus metrics: http://localhost:%d/metrics (%s), http://localhost:%d/metrics (%s)%n",
                            app.metricsPort(), config.modelName(), replay.metricsPort(), ReplayCompanion.MODEL);
                }
            }
            CheckpointStore store = new CheckpointStore(config.modelStoreDir());
            long[] taskEnds = new long[TASKS];
            long cumulative = 0;
            for (int task = 0; task < TASKS; task++) {
                cumulative += train.indicesOfClasses(2 * task, 2 * task + 1).length;
                taskEnds[task] = cumulative;
            }
            SubscriberView view = new SubscriberView(evaluator, taskEnds, out);
            try (KafkaProducer<String, byte[]> producer = io.lethe.streams.app.LetheClients.producer(bootstrap);
                 ModelSubscriber subscriber = new ModelSubscriber(bootstrap, store, true, config.modelName())) {
                Thread evaluatorThread = new Thread(() -> subscriber.run(view), "lethe-demo-evaluator");
                evaluatorThread.setDaemon(true);
                evaluatorThread.start();

                // Continual evaluation inside the learner: 200 test images per task as evaluation sets.
                int evalSent = 0;
                for (int task = 0; task < TASKS; task++) {
                    int[] ofTask = test.indicesOfClasses(2 * task, 2 * task + 1);
                    for (int k = 0; k < Math.min(200, ofTask.length); k++) {
                        int index = ofTask[k];
                        TrainingExample held = TrainingExample.newBuilder().setExampleId("mnist-test-" + index)
                                .setSubjectId("evaluation").setTask(task).setLabel(test.labels()[index])
                                .setPixels(ByteBuffer.wrap(test.pixels()[index])).setFeatures(null)
                                .setEventTime(Instant.now()).build();
                        producer.send(new ProducerRecord<>(LetheTopics.EVAL_EXAMPLES, "task-" + task,
                                AvroCodec.TRAINING_EXAMPLE.encode(held)));
                        evalSent++;
                    }
                }
                producer.flush();
                out.printf("sent %,d evaluation images (200 per task) to %s: the learner evaluates itself every %,d"
                        + " examples (lethe.eval.every.examples)%n", evalSent, LetheTopics.EVAL_EXAMPLES,
                        config.evalEveryExamples());

                // 1. Learn the five tasks, one after another.
                List<Map<String, Double>> afterTask = new ArrayList<>();
                SplittableRandom random = new SplittableRandom(options.seed());
                long produced = 0;
                out.println("learning (a model version is published every 4,000 examples and when input pauses):");
                for (int task = 0; task < TASKS; task++) {
                    int[] indices = train.indicesOfClasses(2 * task, 2 * task + 1);
                    io.lethe.learning.experiment.Scenarios.shuffleInPlace(indices, random);
                    out.printf(" task %d: classes {%d,%d}, %,d examples%n", task, 2 * task, 2 * task + 1, indices.length);
                    view.streamStarted(System.currentTimeMillis());
                    for (int index : indices) {
                        TrainingExample example = TrainingExample.newBuilder()
                                .setExampleId("mnist-train-" + index)
                                .setSubjectId(subjectOf(index, options.subjects()))
                                .setTask(task)
                                .setLabel(train.labels()[index])
                                .setPixels(ByteBuffer.wrap(train.pixels()[index]))
                                .setFeatures(null)
                                .setEventTime(Instant.now())
                                .build();
                        producer.send(new ProducerRecord<>(LetheTopics.EXAMPLES, example.getSubjectId(),
                                AvroCodec.TRAINING_EXAMPLE.encode(example)));
                    }
                    producer.flush();
                    produced += indices.length;
                    long target = produced;
                    SubscriberView.VersionEval done = view.await(v -> v.examplesLearned() >= target, Duration.ofMinutes(10));
                    afterTask.add(done.perTask());
                }
                SubscriberView.VersionEval learnedAll = view.latest();
                double learnSeconds = (learnedAll.createdAt() - view.firstSend()) / 1000.0;
                double learnRate = produced / learnSeconds;
                double steadyRate = view.steadyExamplesPerSecond();
                out.printf("learned %,d examples in %.1f s through Kafka: %,.0f examples/s end to end, %,.0f examples/s"
                        + " steady (within tasks)%n", produced, learnSeconds, learnRate, steadyRate);
                if (replay != null) {
                    out.print("waiting for the replay model to catch up with the stream ... ");
                    out.flush();
                    ModelVersion caughtUp = ReplayCompanion.awaitCaughtUp(bootstrap, (long) (0.95 * produced),
                            Duration.ofMinutes(15));
                    out.printf("%,d examples learned (%.1f s after the first example; 2%% are held out as its test data)%n",
                            caughtUp.getLineage().getExamplesLearned(),
                            (caughtUp.getCreatedAt().toEpochMilli() - view.firstSend()) / 1000.0);
                }
                Map<String, Object> learnerEvaluations = LearnerEvaluations.readAndPrint(bootstrap, out);
                Map<String, Object> continual = view.continualMetrics();
                out.printf("%s as a subscriber sees it (every published version on all 10,000 test images): min-ACC %.2f, WC-ACC %.2f,"
                        + " WF^10 %.2f, WP^10 %.2f points%n", config.modelName(), continual.get("min_acc"), continual.get("wc_acc"),
                        continual.get("wf10"), continual.get("wp10"));
                out.println("  its stability gap per transition and old task (depth in points; recovery in examples, -1: not within 1 point):");
                for (Object row : (List<?>) continual.get("stability_gaps")) {
                    Map<?, ?> g = (Map<?, ?>) row;
                    out.printf("  task %s starts: task %s %.2f -> min %.2f, depth %.2f, recovery %s%n", g.get("new_task"),
                            g.get("old_task"), (Double) g.get("before"), (Double) g.get("minimum"), (Double) g.get("depth"),
                            g.get("recovery_examples"));
                }

                // 2. Erase subjects one at a time (latency from produce to receipt), then a whole class.
                List<String> subjects = pickSubjects(random);
                out.printf("erasing %d subjects one at a time, then class %d:%n", subjects.size(), options.erasedClass());
                List<Double> latencies = new ArrayList<>();
                int receipts = 0;
                ErasureReceipt last = null;
                try (KafkaConsumer<String, byte[]> receiptConsumer = io.lethe.streams.app.LetheClients.committedConsumer(bootstrap, "lethe-demo-receipts-", LetheTopics.ERASURE_RECEIPTS)) {
                    for (String subject : subjects) {
                        long sent = System.currentTimeMillis();
                        ErasureReceipt receipt = erase(producer, receiptConsumer, config.modelName(), ErasureScope.SUBJECT, subject,
                                null, sent);
                        double latency = System.currentTimeMillis() - sent;
                        latencies.add(latency);
                        receipts++;
                        last = receipt;
                        if (receipts <= 3 || receipts % 10 == 0) {
                            out.printf("  receipt %-18s %-10s removed %3d  model v%-3d %5.0f ms  residual %.1e  (%s)%n",
                                    receipt.getRequestId(), receipt.getStatus(), receipt.getExamplesRemoved(),
                                    receipt.getModelVersion(), latency, receipt.getVerificationResidual(),
                                    receipt.getMessage().substring(receipt.getMessage().indexOf("learner time")));
                        }
                    }
                    long sent = System.currentTimeMillis();
                    last = erase(producer, receiptConsumer, config.modelName(), ErasureScope.CLASS, "class-" + options.erasedClass(),
                            options.erasedClass(), sent);
                    receipts++;
                    double classLatency = System.currentTimeMillis() - sent;
                    out.printf("  receipt %-18s %-10s removed %,d  model v%d %5.0f ms%n", last.getRequestId(),
                            last.getStatus(), last.getExamplesRemoved(), last.getModelVersion(), classLatency);

                    // 3. The final model against ridge trained jointly on what was retained.
                    long finalVersion = last.getModelVersion();
                    ModelVersion finalEvent = view.await(v -> v.version() >= finalVersion, Duration.ofMinutes(2)).event();
                    RidgeModel finalModel = store.read(URI.create(finalEvent.getCheckpointUri()), finalEvent.getSha256(), RidgeModel.class);
                    int[] keptClasses = IntStream.range(0, 10).filter(c -> c != options.erasedClass()).toArray();
                    double finalAccuracy = evaluator.accuracy(evaluator.predict(finalModel), keptClasses);

                    Set<String> erased = new HashSet<>(subjects);
                    int[] retainedIdx = IntStream.range(0, train.size())
                            .filter(i -> train.labels()[i] != options.erasedClass())
                            .filter(i -> !erased.contains(subjectOf(i, options.subjects()))).toArray();
                    out.printf("reference: ridge trained jointly on the %,d retained examples (same features) ... ",
                            retainedIdx.length);
                    out.flush();
                    t = System.nanoTime();
                    int chunks = (retainedIdx.length + 999) / 1000;
                    RidgeModel joint = JointRidge.fit(config.featureMap(), config.ridgeGamma(), finalModel.classes(), chunks,
                            b -> train.batch(Arrays.copyOfRange(retainedIdx, b * 1000, Math.min(retainedIdx.length, (b + 1) * 1000))));
                    out.printf("%.1f s%n", (System.nanoTime() - t) / 1e9);
                    double jointAccuracy = evaluator.accuracy(evaluator.predict(joint), keptClasses);
                    double residual = RidgeSolver.relativeFrobenius(finalModel.weights(), joint.weights());

                    Map<String, Object> replaySummary = replay == null ? Map.of()
                            : ReplayCompanion.erasureSummary(bootstrap, subjects.size() + 1, options.erasedClass(),
                                    options.workDir().resolve("models-replay"), evaluator, keptClasses, out);
                    double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    DemoSummary summary = new DemoSummary(finalAccuracy, jointAccuracy, finalAccuracy - jointAccuracy,
                            residual, learnedAll.examplesLearned(), finalEvent.getLineage().getExamplesRetained(), learnRate, steadyRate,
                            subjects.size() + 1, receipts, DemoReport.percentile(sorted, 50), DemoReport.percentile(sorted, 99),
                            sorted[sorted.length - 1], classLatency, latencies, subjects.size(), options.erasedClass(), afterTask,
                            finalVersion, finalVersion, config.featureMap().describe(), config.ridgeGamma(), continual,
                            learnerEvaluations, replaySummary,
                            (Double) replaySummary.get("test_accuracy_retained_classes_after_erasure"),
                            (Double) replaySummary.get("test_accuracy_erased_class_after_erasure"),
                            (String) replaySummary.get("unlearning_path"), app.dashboardUrl().orElse(null),
                            "split-mnist-class-incremental", (System.nanoTime() - wallStart) / 1e9);
                    DemoReport report = new DemoReport(out, options.summaryFile(), TASKS);
                    report.print(summary);
                    report.write(summary);
                    keepDashboardOpen(app);
                    return summary;
                }
            }
        }
    }

    /** With a console, the dashboard stays up until Enter; otherwise for keepOpenSeconds (0: not at all). */
    private void keepDashboardOpen(LetheApplication app) throws IOException, InterruptedException {
        if (app.dashboardUrl().isEmpty() || options.keepOpenSeconds() == 0) {
            return;
        }
        if (options.keepOpenSeconds() < 0) {
            if (System.console() == null) {
                return;
            }
            out.printf("the dashboard stays up at %s: press Enter to stop%n", app.dashboardUrl().get());
            System.console().readLine();
            return;
        }
        out.printf("the dashboard stays up at %s for %d s%n", app.dashboardUrl().get(), options.keepOpenSeconds());
        Thread.sleep(options.keepOpenSeconds() * 1000L);
    }

    private List<String> pickSubjects(SplittableRandom random) {
        List<String> all = new ArrayList<>();
        for (int s = 0; s < options.subjects(); s++) {
            all.add("subject-" + s);
        }
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < options.subjectErasures() && !all.isEmpty(); i++) {
            picked.add(all.remove(random.nextInt(all.size())));
        }
        return picked;
    }

    private ErasureReceipt erase(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> receipts,
                                 String modelName, ErasureScope scope, String key, Integer classLabel, long sentAt)
            throws Exception {
        String id = "erase-" + key;
        ErasureRequest request = ErasureRequest.newBuilder().setRequestId(id).setScope(scope)
                .setSubjectId(scope == ErasureScope.SUBJECT ? key : null).setExampleIds(List.of())
                .setClassLabel(classLabel).setTask(null).setRequestedAt(Instant.ofEpochMilli(sentAt))
                .setReason("demo: right to be forgotten").build();
        producer.send(new ProducerRecord<>(LetheTopics.ERASURES, key, AvroCodec.ERASURE_REQUEST.encode(request)));
        producer.flush();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : receipts.poll(Duration.ofMillis(5))) {
                ErasureReceipt receipt = AvroCodec.ERASURE_RECEIPT.decode(record.value());
                // Every model answers every request: this is the analytic model's answer it waits for.
                if (receipt.getRequestId().equals(id) && receipt.getModelName().equals(modelName)) {
                    return receipt;
                }
            }
        }
        throw new IllegalStateException("no receipt for " + id + " within 2 minutes");
    }

}
