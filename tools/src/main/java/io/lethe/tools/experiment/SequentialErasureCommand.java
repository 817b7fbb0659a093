package io.lethe.tools.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.learning.LabeledBatch;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.learning.gradient.GuardedUnlearning;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.gradient.ReplayNetworkLearner;
import io.lethe.learning.gradient.ShardedNetworkLearner;
import io.lethe.learning.gradient.UnlearningGuard;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.learning.unlearning.UnlearningMethod;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * {@code lethe unlearning-sequence}: sustainability under sequential requests (MUSE's criterion). A
 * network learns Split-MNIST (1,000 subjects, class-incremental, replay), then serves N single-subject
 * erasures one after another; after each, test accuracy and the erased subject's forget-set accuracy
 * are recorded for: SFR-on with the replay buffer as remain data (the first release), SFR-on with
 * remain data drawn from the whole retained set, the guarded policy, SISA with 4 shards, and the
 * retrain oracle every few requests. Prints a table, writes {@code var/unlearning-sequence.json} and
 * a plot ({@code docs/unlearning-sequence.png}).
 */
public final class SequentialErasureCommand {

    private static final int SUBJECTS = 1000;
    private static final int BATCH = 32;
    private static final String[] CONFIGS = {"sfr-on, buffer remain", "sfr-on, store remain", "guarded policy", "sisa K=4",
        "retrain oracle"};

    private final Path data;
    private final int requests;
    private final int oracleEvery;
    private final Path out;
    private final Path plot;
    private final PrintStream console;

    public SequentialErasureCommand(Path data, int requests, int oracleEvery, Path out, Path plot, PrintStream console) {
        this.data = data;
        this.requests = requests;
        this.oracleEvery = oracleEvery;
        this.out = out;
        this.plot = plot;
        this.console = console;
    }

    private static final IntFunction<ReplayNetworkLearner> FRESH = i -> new ReplayNetworkLearner(
            new NetworkLearner(NetworkLearner.Architecture.MLP, 784, 400, 10, 0.05, 1, 1 + i),
            new RehearsalConfig("uniform", 0.5, 32, 2000, 1L << 26, "reservoir", 0, 1 + i), UnlearningMethod.named("sfr-on"),
            1 + i);

    public void run() throws Exception {
        NumericThreads.apply(1);
        ImageDataset train = MnistIdx.load(data, true);
        ImageDataset test = MnistIdx.load(data, false);
        // The guard's held-out data: the first 1,000 test images; the accuracy reported: the other 9,000.
        LabeledBatch heldout = test.batch(IntStream.range(0, 1000).toArray());
        LabeledBatch testBatch = test.batch(IntStream.range(1000, test.size()).toArray());
        List<ReplayItem<float[]>> stream = SplitMnistStream.items(train, SUBJECTS);
        List<String> order = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(5);
        Set<Integer> chosen = new HashSet<>();
        while (order.size() < requests) {
            int s = random.nextInt(SUBJECTS);
            if (chosen.add(s)) {
                order.add("subject-" + s);
            }
        }
        console.printf("sequential erasures: %d single-subject requests (60 examples each) after Split-MNIST; configurations"
                + " %s; the oracle retrains every %d requests%n", requests, List.of(CONFIGS), oracleEvery);

        long started = System.nanoTime();
        ReplayNetworkLearner base = train(FRESH.apply(0), stream);
        ShardedNetworkLearner sisa = new ShardedNetworkLearner(4, BATCH, FRESH);
        for (int from = 0; from < stream.size(); from += BATCH) {
            sisa.learn(stream.subList(from, Math.min(stream.size(), from + BATCH)), true);
        }
        sisa.flush(true);
        console.printf("trained the network and the 4-shard ensemble in %.0f s%n", (System.nanoTime() - started) / 1e9);
        ReplayNetworkLearner bufferRemain = copy(base);
        ReplayNetworkLearner storeRemain = copy(base);
        ReplayNetworkLearner guarded = copy(base);
        GuardedUnlearning policy = new GuardedUnlearning(new UnlearningGuard(2, 5, 5), 0.05);

        Set<String> erased = new HashSet<>();
        List<Map<String, Object>> points = new ArrayList<>();
        int retrains = 0;
        for (int r = 1; r <= requests; r++) {
            String subject = order.get(r - 1);
            erased.add(subject);
            List<ReplayItem<float[]>> forgetItems = stream.stream().filter(i -> i.subjectId().equals(subject)).toList();
            List<ReplayItem<float[]>> kept = stream.stream().filter(i -> !erased.contains(i.subjectId())).toList();
            List<String> keys = forgetItems.stream().map(ReplayItem::exampleId).toList();
            LabeledBatch forget = ReplayTrainer.toBatch(forgetItems);
            LabeledBatch storeSample = ReplayTrainer.toBatch(sample(kept, 2000, r));

            Map<String, Object> point = new LinkedHashMap<>();
            point.put("request", r);
            point.put("subject", subject);
            long t = System.nanoTime();
            bufferRemain.unlearn(keys, forget, null, null);
            record(point, CONFIGS[0], bufferRemain, forget, testBatch, t);
            t = System.nanoTime();
            storeRemain.unlearn(keys, forget, storeSample, null);
            record(point, CONFIGS[1], storeRemain, forget, testBatch, t);
            t = System.nanoTime();
            var result = policy.unlearn(guarded, keys, forget, storeSample, heldout, kept.size(), () -> train(FRESH.apply(0), kept));
            retrains += result.exact() ? 1 : 0;
            record(point, CONFIGS[2], guarded, forget, testBatch, t);
            point.put(CONFIGS[2] + " path", result.exact() ? "exact-retrain" : "approximate");
            t = System.nanoTime();
            int shard = ShardedNetworkLearner.shardOf(subject, 4);
            sisa.unlearnSubjects(List.of(subject), forgetItems.size(), i -> ShardedNetworkLearner.trainShard(FRESH.apply(i),
                    kept.stream().filter(item -> ShardedNetworkLearner.shardOf(item.subjectId(), 4) == shard).toList(), BATCH));
            record(point, CONFIGS[3], sisa, forget, testBatch, t);
            if (r % oracleEvery == 0) {
                t = System.nanoTime();
                ReplayNetworkLearner oracle = train(FRESH.apply(0), kept);
                record(point, CONFIGS[4], oracle, forget, testBatch, t);
            }
            points.add(point);
            if (r % 10 == 0 || r == requests) {
                write(points, retrains, r); // progress survives an interrupted run
                System.gc(); // retraining makes networks by the dozen: free their native memory before it piles up
            }
            console.printf(Locale.ROOT, "  request %3d  test acc: buffer %.2f  store %.2f  guarded %.2f  sisa %.2f%s%n", r,
                    point.get(CONFIGS[0] + " test"), point.get(CONFIGS[1] + " test"), point.get(CONFIGS[2] + " test"),
                    point.get(CONFIGS[3] + " test"), point.containsKey(CONFIGS[4] + " test")
                            ? String.format(Locale.ROOT, "  oracle %.2f", point.get(CONFIGS[4] + " test")) : "");
        }
        printTable(points, retrains);
        console.println("wrote " + out + " and " + plot);
    }

    private void write(List<Map<String, Object>> points, int retrains, int done) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("scenario", "split-mnist-class-incremental, sequential single-subject erasures");
        doc.put("requests", requests);
        doc.put("requests_done", done);
        doc.put("guarded_retrains", retrains);
        doc.put("points", points);
        doc.put("at", Instant.now().toString());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        draw(points);
    }

    private static void record(Map<String, Object> point, String config, io.lethe.learning.Learner model, LabeledBatch forget,
                               LabeledBatch test, long started) {
        point.put(config + " test", Accuracy.percent(model, test));
        point.put(config + " forget", Accuracy.percent(model, forget));
        point.put(config + " ms", (System.nanoTime() - started) / 1e6);
    }

    private void printTable(List<Map<String, Object>> points, int retrains) {
        console.printf("%n| configuration | test acc after 1 | after %d | min over the sequence | forget-set acc (mean) | ms per request (mean) |%n"
                + "|---|---|---|---|---|---|%n", requests);
        for (String config : CONFIGS) {
            List<Map<String, Object>> with = points.stream().filter(p -> p.containsKey(config + " test")).toList();
            if (with.isEmpty()) {
                continue;
            }
            console.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.0f |%n", config,
                    (Double) with.get(0).get(config + " test"), (Double) with.get(with.size() - 1).get(config + " test"),
                    with.stream().mapToDouble(p -> (Double) p.get(config + " test")).min().orElseThrow(), // never empty
                    with.stream().mapToDouble(p -> (Double) p.get(config + " forget")).average().orElseThrow(),
                    with.stream().mapToDouble(p -> (Double) p.get(config + " ms")).average().orElseThrow());
        }
        console.printf("the guarded policy retrained %d of %d times%n", retrains, requests);
    }

    private void draw(List<Map<String, Object>> points) throws IOException {
        List<LinePlot.Series> series = new ArrayList<>();
        for (String config : CONFIGS) {
            String key = config + " test";
            List<double[]> xy = new ArrayList<>();
            for (Map<String, Object> p : points) {
                if (p.containsKey(key)) {
                    xy.add(new double[] {(Integer) p.get("request"), (Double) p.get(key)});
                }
            }
            series.add(new LinePlot.Series(config, xy));
        }
        LinePlot.write(plot, "test accuracy (%) after each single-subject erasure, request 1.." + requests, "requests", 1,
                Math.max(2, requests), series, true);
    }

    private static List<ReplayItem<float[]>> sample(List<ReplayItem<float[]>> kept, int n, long seed) {
        List<ReplayItem<float[]>> copy = new ArrayList<>(kept);
        java.util.Collections.shuffle(copy, new java.util.Random(seed));
        return copy.subList(0, Math.min(n, copy.size()));
    }

    private static ReplayNetworkLearner train(ReplayNetworkLearner fresh, List<ReplayItem<float[]>> items) {
        for (int from = 0; from < items.size(); from += BATCH) {
            fresh.learn(items.subList(from, Math.min(items.size(), from + BATCH)), true);
        }
        return fresh;
    }

    private static ReplayNetworkLearner copy(ReplayNetworkLearner learner) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        learner.writeState(new DataOutputStream(bytes));
        ReplayNetworkLearner copy = FRESH.apply(0);
        copy.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        return copy;
    }
}
