package io.lethe.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.learning.LabeledBatch;
import io.lethe.learning.analytic.AnalyticRidgeLearner;
import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.data.MnistIdx;
import io.lethe.learning.feature.FeatureMapSpec;
import io.lethe.modelstore.CheckpointStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The analytic learner's costs without Kafka, side by side for both feature maps, on real MNIST:
 * featurisation, learning, the two kinds of refresh, and unlearning one subject (60 examples) and a
 * whole class. Writes var/bench-learner.json.
 */
public final class LearnerBench {

    private LearnerBench() {
    }

    public static void run(Path dataDir, Path output, int examples, PrintStream out) throws Exception {
        ImageDataset train = MnistIdx.load(dataDir, true);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (FeatureMapSpec spec : List.of(FeatureMapSpec.mnistConv(42), FeatureMapSpec.denseRelu(784, 2048, 42))) {
            out.printf("benchmarking %s (%,d features) on %,d MNIST images ...%n", spec.kind(), spec.outputDim(), examples);
            AnalyticRidgeLearner learner = new AnalyticRidgeLearner(spec, 1.0);
            learner.learn(train.batch(IntStream.range(0, 256).toArray())); // warm-up, JIT and native buffers
            learner.unlearn(train.batch(IntStream.range(0, 256).toArray()));
            learner.refresh();

            long featureNanos = 0;
            long learnNanos = 0;
            for (int start = 0; start < examples; start += 256) {
                LabeledBatch batch = train.batch(IntStream.range(start, Math.min(examples, start + 256)).toArray());
                long t0 = System.nanoTime();
                INDArray features = learner.features(batch.inputs());
                long t1 = System.nanoTime();
                learner.learnFeatures(features, batch.labels());
                learnNanos += System.nanoTime() - t1;
                featureNanos += t1 - t0;
            }
            long t = System.nanoTime();
            learner.refreshHead();
            double headMs = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            learner.refresh();
            double refreshMs = (System.nanoTime() - t) / 1e6;

            double[] subject = new double[15];
            for (int r = 0; r < subject.length; r++) {
                int offset = r * 60;
                int[] idx = IntStream.range(offset, offset + 60).toArray();
                LabeledBatch batch = train.batch(idx);
                t = System.nanoTime();
                learner.unlearn(batch);
                learner.refreshHead();
                subject[r] = (System.nanoTime() - t) / 1e6;
                learner.learn(batch);
                learner.refresh();
            }
            Arrays.sort(subject);
            int[] classThree = Arrays.stream(train.indicesOfClasses(3)).filter(i -> i < examples).toArray();
            LabeledBatch classBatch = train.batch(classThree);
            t = System.nanoTime();
            learner.unlearn(classBatch);
            double classMs = (System.nanoTime() - t) / 1e6;

            Map<String, Object> row = new LinkedHashMap<>();
            row.put("feature_map", spec.kind());
            row.put("features", spec.outputDim());
            row.put("featurise_images_per_s", examples / (featureNanos / 1e9));
            row.put("learn_statistics_examples_per_s", examples / (learnNanos / 1e9));
            row.put("learn_total_examples_per_s", examples / ((featureNanos + learnNanos) / 1e9));
            row.put("head_refresh_ms", headMs);
            row.put("full_refresh_ms", refreshMs);
            row.put("unlearn_60_median_ms", subject[subject.length / 2]);
            row.put("unlearn_60_max_ms", subject[subject.length - 1]);
            row.put("unlearn_class_examples", classThree.length);
            row.put("unlearn_class_ms", classMs);
            rows.add(row);
        }
        out.println();
        out.printf("%-12s %9s %12s %12s %12s %10s %10s %12s %12s%n", "map", "features", "featurise/s", "stats/s",
                "learn/s", "head ms", "refresh ms", "unlearn60 ms", "class ms");
        for (Map<String, Object> r : rows) {
            out.printf("%-12s %9d %12.0f %12.0f %12.0f %10.1f %10.1f %12.1f %12.1f%n", r.get("feature_map"), r.get("features"),
                    r.get("featurise_images_per_s"), r.get("learn_statistics_examples_per_s"),
                    r.get("learn_total_examples_per_s"), r.get("head_refresh_ms"), r.get("full_refresh_ms"),
                    r.get("unlearn_60_median_ms"), r.get("unlearn_class_ms"));
        }
        Files.createDirectories(output.toAbsolutePath().getParent());
        CheckpointStore.writeAtomically(output.toAbsolutePath(),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(
                        Map.of("examples", examples, "threads", Runtime.getRuntime().availableProcessors(), "results", rows)));
        out.println("written to " + output);
    }
}
