package io.lethe.tools.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

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

        deleteRecursively(options.workDir());
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
            Map<Long, VersionEval> evaluations = new ConcurrentHashMap<>();
            long[] taskEnds = new long[TASKS];
            long cumulative = 0;
            for (int task = 0; task < TASKS; task++) {
                cumulative += train.indicesOfClasses(2 * task, 2 * task + 1).length;
                taskEnds[task] = cumulative;
            }
            io.lethe.learning.metrics.MinAccuracy minAcc = new io.lethe.learning.metrics.MinAccuracy();
            io.lethe.learning.metrics.WorstCaseAccuracy wcAcc = new io.lethe.learning.metrics.WorstCaseAccuracy();
            io.lethe.learning.metrics.WindowedForgetting forgetting = new io.lethe.learning.metrics.WindowedForgetting(10);
            io.lethe.learning.metrics.StabilityGap gaps = new io.lethe.learning.metrics.StabilityGap(1.0);
            AtomicReference<VersionEval> latest = new AtomicReference<>();
            long[] firstSend = {0};
            try (KafkaProducer<String, byte[]> producer = io.lethe.streams.app.LetheClients.producer(bootstrap);
                 ModelSubscriber subscriber = new ModelSubscriber(bootstrap, store, true, config.modelName())) {
                Thread evaluatorThread = new Thread(() -> subscriber.run((version, model) -> {
                    if (version.getTrigger() == io.lethe.schemas.VersionTrigger.ERASURE) {
                        // The erasure phase measures latency: a subscriber sharing the learner's two cores
                        // would distort it, so these versions are only recorded; the final one is evaluated below.
                        latest.set(new VersionEval(version.getVersion(), version.getLineage().getExamplesLearned(),
                                version.getCreatedAt().toEpochMilli(), Map.of(), Double.NaN, version));
                        return;
                    }
                    // The demo's model is the analytic learner: its evaluator reuses the frozen test features.
                    VersionEval eval = evaluate(version, (RidgeModel) model, evaluator);
                    long learnedSoFar = version.getLineage().getExamplesLearned();
                    int currentTask = 0;
                    while (currentTask < TASKS - 1 && learnedSoFar > taskEnds[currentTask]) {
                        currentTask++;
                    }
                    Map<Integer, Double> byTask = new java.util.TreeMap<>();
                    eval.perTask.forEach((name, accuracy) -> byTask.put(Integer.parseInt(name.substring(4)), accuracy));
                    io.lethe.learning.metrics.Evaluation e =
                            new io.lethe.learning.metrics.Evaluation(learnedSoFar, currentTask, byTask);
                    synchronized (gaps) {
                        minAcc.update(e);
                        wcAcc.update(e);
                        forgetting.update(e);
                        gaps.update(e);
                    }
                    evaluations.put(version.getVersion(), eval);
                    latest.set(eval);
                    double seconds = firstSend[0] == 0 ? 0 : (version.getCreatedAt().toEpochMilli() - firstSend[0]) / 1000.0;
                    out.printf("  v%-3d %-17s learned %,7d  retained %,7d  %6.1f s  accuracy per task: %s%n",
                            version.getVersion(), version.getTrigger(), version.getLineage().getExamplesLearned(),
                            version.getLineage().getExamplesRetained(), seconds, eval.describe());
                }), "lethe-demo-evaluator");
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
                    if (firstSend[0] == 0) {
                        firstSend[0] = System.currentTimeMillis();
                    }
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
                    VersionEval done = awaitVersion(latest, v -> v.examplesLearned >= target, Duration.ofMinutes(10));
                    afterTask.add(done.perTask);
                }
                VersionEval learnedAll = latest.get();
                double learnSeconds = (learnedAll.createdAt - firstSend[0]) / 1000.0;
                double learnRate = produced / learnSeconds;
                // Steady state: between consecutive EXAMPLES_LEARNED versions inside a task (no task
                // boundary waits, no start-up), from the versions' own creation times.
                List<VersionEval> byVersion = new ArrayList<>(evaluations.values());
                byVersion.sort(Comparator.comparingLong(VersionEval::version));
                double steadyExamples = 0;
                double steadyMillis = 0;
                for (int i = 1; i < byVersion.size(); i++) {
                    VersionEval a = byVersion.get(i - 1);
                    VersionEval b = byVersion.get(i);
                    if (a.event().getTrigger() == io.lethe.schemas.VersionTrigger.EXAMPLES_LEARNED
                            && b.event().getTrigger() == io.lethe.schemas.VersionTrigger.EXAMPLES_LEARNED) {
                        steadyExamples += b.examplesLearned() - a.examplesLearned();
                        steadyMillis += b.createdAt() - a.createdAt();
                    }
                }
                double steadyRate = steadyMillis == 0 ? Double.NaN : steadyExamples / (steadyMillis / 1000.0);
                out.printf("learned %,d examples in %.1f s through Kafka: %,.0f examples/s end to end, %,.0f examples/s"
                        + " steady (within tasks)%n", produced, learnSeconds, learnRate, steadyRate);
                if (replay != null) {
                    out.print("waiting for the replay model to catch up with the stream ... ");
                    out.flush();
                    ModelVersion caughtUp = ReplayCompanion.awaitCaughtUp(bootstrap, (long) (0.95 * produced),
                            Duration.ofMinutes(15));
                    out.printf("%,d examples learned (%.1f s after the first example; 2%% are held out as its test data)%n",
                            caughtUp.getLineage().getExamplesLearned(),
                            (caughtUp.getCreatedAt().toEpochMilli() - firstSend[0]) / 1000.0);
                }
                Map<String, Object> learnerEvaluations = LearnerEvaluations.readAndPrint(bootstrap, out);
                Map<String, Object> continual = new LinkedHashMap<>();
                synchronized (gaps) {
                    continual.put("min_acc", minAcc.result());
                    continual.put("wc_acc", wcAcc.result());
                    continual.put("wf10", forgetting.result().forgetting());
                    continual.put("wp10", forgetting.result().plasticity());
                    continual.put("stability_gaps", io.lethe.tools.experiment.GapRows.of(gaps.result()));
                }
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
                    ModelVersion finalEvent = awaitVersion(latest, v -> v.version >= finalVersion, Duration.ofMinutes(2)).event;
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
                            : replayErasures(bootstrap, subjects.size() + 1, "erase-class-" + options.erasedClass());
                    double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    DemoSummary summary = new DemoSummary(finalAccuracy, jointAccuracy, finalAccuracy - jointAccuracy,
                            residual, learnedAll.examplesLearned, finalEvent.getLineage().getExamplesRetained(), learnRate, steadyRate,
                            subjects.size() + 1, receipts, percentile(sorted, 50), percentile(sorted, 99),
                            sorted[sorted.length - 1], classLatency, latencies, subjects.size(), options.erasedClass(), afterTask,
                            finalVersion, finalVersion, config.featureMap().describe(), config.ridgeGamma(), continual,
                            learnerEvaluations, replaySummary, app.dashboardUrl().orElse(null),
                            "split-mnist-class-incremental", (System.nanoTime() - wallStart) / 1e9);
                    printTable(summary);
                    writeSummary(summary);
                    keepDashboardOpen(app);
                    return summary;
                }
            }
        }
    }

    /** The replay model's answers to the same requests: it unlearns approximately, so its receipts carry measurements. */
    private Map<String, Object> replayErasures(String bootstrap, int requests, String classRequest) {
        out.printf("waiting for the replay model's %d receipts ... ", requests);
        out.flush();
        Map<String, ErasureReceipt> receipts = ReplayCompanion.awaitReceipts(bootstrap, requests, Duration.ofMinutes(10));
        out.printf("%d received%n", receipts.size());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model", ReplayCompanion.MODEL);
        summary.put("receipts", receipts.size());
        summary.put("requests", requests);
        ErasureReceipt classReceipt = receipts.get(classRequest);
        if (classReceipt != null) {
            Map<String, Double> m = classReceipt.getMetrics();
            out.printf(java.util.Locale.ROOT, "  %s, class erasure (%s): removed %,d; forgotten class accuracy %.2f%% -> %.2f%%;"
                    + " replay-buffer accuracy %.2f%%; held-out test accuracy %.2f%%; unlearning %.0f ms for %.0f requests"
                    + " in its batch%n", ReplayCompanion.MODEL, classReceipt.getVerificationMethod(),
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
        }
        return summary;
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

    private static VersionEval evaluate(ModelVersion version, RidgeModel model, TestSetEvaluator evaluator) {
        int[] predicted = evaluator.predict(model);
        Set<Integer> seen = new HashSet<>();
        int[] classes = model.classes();
        boolean[] active = model.active();
        for (int c = 0; c < classes.length; c++) {
            if (active[c]) {
                seen.add(classes[c]);
            }
        }
        Map<String, Double> perTask = new LinkedHashMap<>();
        for (int task = 0; task < TASKS; task++) {
            int[] taskClasses = IntStream.of(2 * task, 2 * task + 1).filter(seen::contains).toArray();
            if (taskClasses.length > 0) {
                perTask.put("task" + task, evaluator.accuracy(predicted, taskClasses));
            }
        }
        int[] all = seen.stream().mapToInt(Integer::intValue).toArray();
        double average = all.length == 0 ? Double.NaN : evaluator.accuracy(predicted, all);
        return new VersionEval(version.getVersion(), version.getLineage().getExamplesLearned(),
                version.getCreatedAt().toEpochMilli(), perTask, average, version);
    }

    private static VersionEval awaitVersion(AtomicReference<VersionEval> latest,
                                            java.util.function.Predicate<VersionEval> done, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            VersionEval v = latest.get();
            if (v != null && done.test(v)) {
                return v;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the expected model version did not arrive within " + timeout);
    }

    private void printTable(DemoSummary s) {
        out.println();
        out.println("Accuracy (%) on each task's test images after learning each task (class-incremental, 10-way):");
        out.printf("  %-12s", "after task");
        for (int task = 0; task < TASKS; task++) {
            out.printf("  T%d {%d,%d}", task, 2 * task, 2 * task + 1);
        }
        out.println();
        for (int row = 0; row < s.accuracyAfterTask().size(); row++) {
            out.printf("  %-12s", "task " + row);
            for (int task = 0; task < TASKS; task++) {
                Double a = s.accuracyAfterTask().get(row).get("task" + task);
                out.printf("  %8s", a == null ? "-" : String.format("%.2f", a));
            }
            out.println();
        }
        out.println();
        out.println("+--------------------------------------------------------+----------------+");
        row("final accuracy, test images of retained classes (%)", String.format("%.2f", s.finalAccuracy()));
        row("joint ridge on the retained data, same features (%)", String.format("%.2f", s.jointRidgeAccuracy()));
        row("difference (points)", String.format("%+.3f", s.accuracyGapPoints()));
        row("exactness residual ||W - W_joint||_F / ||W_joint||_F", String.format("%.2e", s.exactnessResidual()));
        row("examples learned through Kafka", String.format("%,d", s.examplesLearned()));
        row("examples retained after erasure", String.format("%,d", s.examplesRetained()));
        row("learn throughput (examples/s, produce to version)", String.format("%,.0f", s.learnExamplesPerSecond()));
        row("learn throughput within tasks (examples/s)", String.format("%,.0f", s.learnSteadyExamplesPerSecond()));
        row("erasures requested / receipts", s.erasuresRequested() + " / " + s.receipts());
        row("single-subject erasure latency p50 (ms)", String.format("%.0f", s.erasureP50Ms()));
        row("single-subject erasure latency p99 (ms)", String.format("%.0f", s.erasureP99Ms()));
        row("class erasure latency (ms)", String.format("%.0f", s.classErasureMs()));
        row("wall time (s)", String.format("%.1f", s.wallSeconds()));
        out.println("+--------------------------------------------------------+----------------+");
        out.println("summary written to " + options.summaryFile());
    }

    private void row(String name, String value) {
        out.printf("| %-54s | %14s |%n", name, value);
    }

    private void writeSummary(DemoSummary summary) throws IOException {
        Files.createDirectories(options.summaryFile().toAbsolutePath().getParent());
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(summary);
        CheckpointStore.writeAtomically(options.summaryFile().toAbsolutePath(), json);
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }



    /** The learner's own continual evaluations (lethe.evaluations, from the topology) so far. */
    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One model version's evaluation. */
    record VersionEval(long version, long examplesLearned, long createdAt, Map<String, Double> perTask, double average,
                       ModelVersion event) {
        String describe() {
            StringBuilder b = new StringBuilder();
            perTask.forEach((task, acc) -> b.append(String.format("T%s %5.1f  ", task.substring(4), acc)));
            return b.toString().trim();
        }
    }
}
