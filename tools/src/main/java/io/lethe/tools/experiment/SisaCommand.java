package io.lethe.tools.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.learning.LabeledBatch;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.gradient.ReplayNetworkLearner;
import io.lethe.learning.gradient.ShardedNetworkLearner;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.unlearning.UnlearningMethod;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * {@code lethe sisa}: exact unlearning for networks by sharding (SISA), measured on Split-MNIST
 * (class-incremental, 5 tasks, 1,000 subjects): for each shard count K, the ensemble's test accuracy
 * after the stream, and the cost of one subject's erasure (retraining its shard from the shard's
 * retained data) against retraining the whole model; writes {@code var/sisa-results.json}.
 */
public final class SisaCommand {

    private static final int SUBJECTS = 1000;
    private static final int BATCH = 32;

    private final Path data;
    private final List<Integer> shardCounts;
    private final Path out;
    private final PrintStream console;

    public SisaCommand(Path data, List<Integer> shardCounts, Path out, PrintStream console) {
        this.data = data;
        this.shardCounts = shardCounts;
        this.out = out;
        this.console = console;
    }

    public void run() throws Exception {
        NumericThreads.apply(1);
        ImageDataset train = MnistIdx.load(data, true);
        ImageDataset test = MnistIdx.load(data, false);
        LabeledBatch testBatch = test.batch(IntStream.range(0, test.size()).toArray());
        List<ReplayItem<float[]>> stream = SplitMnistStream.items(train, SUBJECTS);
        String erased = "subject-417";
        List<ReplayItem<float[]>> kept = stream.stream().filter(item -> !item.subjectId().equals(erased)).toList();
        console.printf("SISA on Split-MNIST: %,d examples of %,d subjects in 5 class-incremental tasks; MLP 784-400-400-10"
                + " per shard with uniform replay (2,000 per shard, 32 per step), batch %d; erasing %s (%d examples)%n",
                stream.size(), SUBJECTS, BATCH, erased, stream.size() - kept.size());
        List<Map<String, Object>> rowsOut = new ArrayList<>();
        Double fullTrainSeconds = null; // the cost of retraining everything (K = 1's erasure), when measured
        for (int k : shardCounts) {
            IntFunction<ReplayNetworkLearner> fresh = i -> new ReplayNetworkLearner(
                    new NetworkLearner(NetworkLearner.Architecture.MLP, 784, 400, 10, 0.05, 1, 1 + i),
                    new RehearsalConfig("uniform", 0.5, 32, 2000, 1L << 26, "reservoir", 0, 1 + i),
                    UnlearningMethod.named("sfr-on"), 1 + i);
            long started = System.nanoTime();
            ShardedNetworkLearner ensemble = new ShardedNetworkLearner(k, BATCH, fresh);
            for (int from = 0; from < stream.size(); from += BATCH) {
                ensemble.learn(stream.subList(from, Math.min(stream.size(), from + BATCH)), true);
            }
            ensemble.flush(true);
            double trainSeconds = (System.nanoTime() - started) / 1e9;
            double accuracy = Accuracy.percent(ensemble, testBatch);
            int shard = ShardedNetworkLearner.shardOf(erased, k);
            List<ReplayItem<float[]>> shardData = kept.stream()
                    .filter(item -> ShardedNetworkLearner.shardOf(item.subjectId(), k) == shard).toList();
            var result = ensemble.unlearnSubjects(List.of(erased), stream.size() - kept.size(),
                    i -> ShardedNetworkLearner.trainShard(fresh.apply(i), shardData, BATCH));
            double eraseSeconds = result.metrics().get("retrain_ms") / 1000;
            if (k == 1) {
                fullTrainSeconds = eraseSeconds; // one shard is the whole model: this is retraining everything
            }
            double accuracyAfter = Accuracy.percent(ensemble, testBatch);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("shards", k);
            row.put("test_accuracy", accuracy);
            row.put("test_accuracy_after_erasure", accuracyAfter);
            row.put("train_seconds", trainSeconds);
            row.put("erasure_seconds", eraseSeconds);
            row.put("examples_retrained", shardData.size());
            row.put("speedup_vs_full_retrain", fullTrainSeconds == null ? null : fullTrainSeconds / eraseSeconds);
            rowsOut.add(row);
            console.printf(Locale.ROOT, "  K = %d: test accuracy %.2f%% (after the erasure %.2f%%); trained in %.1f s;"
                    + " erasure retrained 1 shard (%,d examples) in %.1f s%s%n", k, accuracy, accuracyAfter, trainSeconds,
                    shardData.size(), eraseSeconds, fullTrainSeconds == null ? ""
                            : String.format(Locale.ROOT, ", %.1fx faster than retraining everything", fullTrainSeconds / eraseSeconds));
        }
        console.printf("%n| shards K | test accuracy %% | erasure: examples retrained | erasure time s | speed-up vs full retrain |%n"
                + "|---|---|---|---|---|%n");
        for (Map<String, Object> row : rowsOut) {
            console.printf(Locale.ROOT, "| %d | %.2f | %,d | %.1f | %s |%n", row.get("shards"), row.get("test_accuracy"),
                    row.get("examples_retrained"), row.get("erasure_seconds"),
                    row.get("speedup_vs_full_retrain") == null ? "-" : String.format(Locale.ROOT, "%.1fx",
                            (Double) row.get("speedup_vs_full_retrain")));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("scenario", "split-mnist-class-incremental");
        doc.put("rows", rowsOut);
        doc.put("at", Instant.now().toString());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        console.println("wrote " + out);
    }
}
