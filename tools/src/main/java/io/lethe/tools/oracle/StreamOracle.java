package io.lethe.tools.oracle;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.erasure.ErasureCoverage;
import io.lethe.streams.erasure.HoldOutRule;
import io.lethe.streams.topology.ExampleBatches;
import io.lethe.streams.topology.RecordValidator;
import io.lethe.streams.topology.RetainedExamples;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Retrains the gradient model from {@code lethe.examples} as it stands (read from the beginning to
 * the offsets at start, read_committed), without every example an erasure in {@code lethe.erasures}
 * covers (same rule as the learner: matching scope and event time not after the request), with the
 * model's seed, network and rehearsal configuration, and without the examples the learner holds out
 * as test data (the same {@link HoldOutRule}); then compares it with the newest published
 * version of the model. Examples are learned in record-timestamp order, so with several input
 * partitions the order (and so the model) can differ slightly from the live learner's.
 */
public final class StreamOracle {

    /** What the oracle found. */
    public record Report(long examplesRead, long examplesTrained, long examplesHeldOut, long examplesErased, long examplesInvalid,
                         long duplicates, int erasureRequests, Long comparedVersion, double oracleRetainedAccuracy,
                         double modelRetainedAccuracy, double predictionAgreement, double oracleErasedAccuracy,
                         double modelErasedAccuracy, double trainSeconds) {

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("examples_read", examplesRead);
            m.put("examples_trained", examplesTrained);
            m.put("examples_held_out", examplesHeldOut);
            m.put("examples_erased", examplesErased);
            m.put("examples_invalid", examplesInvalid);
            m.put("duplicates", duplicates);
            m.put("erasure_requests", erasureRequests);
            m.put("compared_version", comparedVersion);
            m.put("oracle_retained_accuracy", finite(oracleRetainedAccuracy));
            m.put("model_retained_accuracy", finite(modelRetainedAccuracy));
            m.put("prediction_agreement_retained", finite(predictionAgreement));
            m.put("oracle_erased_accuracy", finite(oracleErasedAccuracy));
            m.put("model_erased_accuracy", finite(modelErasedAccuracy));
            m.put("train_seconds", trainSeconds);
            return m;
        }

        private static Double finite(double x) {
            return Double.isFinite(x) ? x : null;
        }
    }

    private final LetheConfig config;
    private final String bootstrapServers;
    private final Consumer<String> progress;

    public StreamOracle(LetheConfig config, String bootstrapServers, Consumer<String> progress) {
        if (io.lethe.streams.topology.LearningEngines.capabilities(config).exact()) {
            throw new IllegalArgumentException("the stream oracle retrains the gradient learner (lethe.learner=mlp); "
                    + "the analytic learner is exact and checks itself (normal-equation residual)");
        }
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.progress = progress;
    }

    public Report run() throws IOException {
        NumericThreads.apply(config.learner().threads());
        Map<String, Long> watermarks = new HashMap<>();
        int requests = 0;
        for (ConsumerRecord<String, byte[]> record : readAll(LetheTopics.ERASURES)) {
            ErasureRequest request;
            try {
                request = AvroCodec.ERASURE_REQUEST.decode(record.value());
            } catch (AvroCodec.AvroCodecException e) {
                continue;
            }
            if (RecordValidator.checkErasure(request, config) != null) {
                continue;
            }
            requests++;
            long at = request.getRequestedAt().toEpochMilli();
            ErasureCoverage.watermarkKeys(request).forEach(key -> watermarks.merge(key, at, Math::max));
        }
        List<ConsumerRecord<String, byte[]>> records = readAll(LetheTopics.EXAMPLES);
        records.sort(Comparator.<ConsumerRecord<String, byte[]>>comparingLong(ConsumerRecord::timestamp)
                .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
        List<TrainingExample> retained = new ArrayList<>();
        List<TrainingExample> erased = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long invalid = 0;
        long duplicates = 0;
        long heldOut = 0;
        HoldOutRule holdOut = config.learner().holdOutRule();
        for (ConsumerRecord<String, byte[]> record : records) {
            TrainingExample example;
            try {
                example = AvroCodec.TRAINING_EXAMPLE.decode(record.value());
            } catch (AvroCodec.AvroCodecException e) {
                invalid++;
                continue;
            }
            if (RecordValidator.checkExample(example, record.key(), config) != null) {
                invalid++;
                continue;
            }
            if (!seen.add(RetainedExamples.key(example))) {
                duplicates++;
                continue;
            }
            if (ErasureCoverage.covered(example, watermarks::get)) {
                erased.add(example);
            } else if (holdOut.holdsOut(example)) {
                heldOut++; // the live learner stores these as test data and never learns them
            } else {
                retained.add(example);
            }
        }
        progress.accept(String.format("oracle: %,d example records, %,d retained, %,d held out, %,d erased by %d requests,"
                + " %,d invalid, %,d re-deliveries", records.size(), retained.size(), heldOut, erased.size(), requests, invalid,
                duplicates));

        long started = System.nanoTime();
        NetworkLearner oracle = config.learner().newNetwork(config.featureMap().inputDim(), config.maxClasses());
        ReplayTrainer trainer = config.learner().rehearsal().trainer(oracle);
        int dim = config.featureMap().inputDim();
        for (int from = 0; from < retained.size(); from += config.learner().batchSize()) {
            List<ReplayItem<float[]>> batch = new ArrayList<>();
            for (TrainingExample example : retained.subList(from, Math.min(retained.size(), from + config.learner().batchSize()))) {
                batch.add(ReplayTrainer.item(RetainedExamples.key(example), example.getSubjectId(), example.getTask(),
                        example.getLabel(), ExampleBatches.input(example, dim)));
            }
            trainer.learn(batch);
        }
        double trainSeconds = (System.nanoTime() - started) / 1e9;
        progress.accept(String.format("oracle: trained on %,d examples in %.1f s", retained.size(), trainSeconds));

        ModelVersion version = newestVersion();
        io.lethe.learning.Predictor model = version == null ? null : load(version);
        List<TrainingExample> sample = retained.size() <= 5000 ? retained : retained.subList(retained.size() - 5000, retained.size());
        LabeledBatch retainedBatch = sample.isEmpty() ? null : ExampleBatches.of(sample, dim);
        LabeledBatch erasedBatch = erased.isEmpty() ? null : ExampleBatches.of(erased, dim);
        double agreement = Double.NaN;
        if (model != null && retainedBatch != null) {
            int[] a = oracle.predict(retainedBatch.inputs());
            int[] b = model.predict(retainedBatch.inputs());
            int same = 0;
            for (int i = 0; i < a.length; i++) {
                same += a[i] == b[i] ? 1 : 0;
            }
            agreement = 100.0 * same / a.length;
        }
        return new Report(records.size(), retained.size(), heldOut, erased.size(), invalid, duplicates, requests,
                version == null ? null : version.getVersion(), accuracy(oracle.predictor(), retainedBatch), accuracy(model, retainedBatch),
                agreement, accuracy(oracle.predictor(), erasedBatch), accuracy(model, erasedBatch), trainSeconds);
    }

    /** Publishes the report on the metrics topic, as the oracle's view of the compared version. */
    public void publish(Report report) throws Exception {
        Map<String, Double> metrics = new java.util.TreeMap<>();
        report.toMap().forEach((k, v) -> {
            if (v instanceof Number n && !k.equals("compared_version")) {
                metrics.put("oracle." + k, n.doubleValue());
            }
        });
        io.lethe.schemas.EvaluationReport evaluation = io.lethe.schemas.EvaluationReport.newBuilder()
                .setModelName(config.modelName())
                .setModelVersion(report.comparedVersion() == null ? 0 : report.comparedVersion())
                .setStep(report.examplesTrained())
                .setEvaluatedAt(java.time.Instant.now())
                .setTaskAccuracies(List.of())
                .setAverageAccuracy(report.modelRetainedAccuracy())
                .setMetrics(metrics)
                .build();
        try (var producer = io.lethe.streams.app.LetheClients.producer(bootstrapServers)) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(LetheTopics.EVALUATIONS,
                    config.modelName(), AvroCodec.EVALUATION_REPORT.encode(evaluation))).get();
        }
    }

    private static double accuracy(io.lethe.learning.Predictor model, LabeledBatch batch) {
        return model == null || batch == null ? Double.NaN : io.lethe.learning.metrics.Accuracy.percent(model, batch);
    }

    private ModelVersion newestVersion() {
        ModelVersion newest = null;
        for (ConsumerRecord<String, byte[]> record : readAll(LetheTopics.MODEL_VERSIONS)) {
            if (record.value() == null) {
                continue; // a revoked version's entry
            }
            ModelVersion version = AvroCodec.MODEL_VERSION.decode(record.value());
            if (version.getModelName().equals(config.modelName())
                    && (newest == null || version.getVersion() > newest.getVersion())) {
                newest = version;
            }
        }
        return newest;
    }

    private io.lethe.learning.Predictor load(ModelVersion version) throws IOException {
        return new CheckpointStore(config.modelStoreDir()).read(URI.create(version.getCheckpointUri()), version.getSha256(),
                io.lethe.learning.Predictor.class);
    }

    /** Every committed record of the topic up to the end offsets seen at the start. */
    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                return out;
            }
            List<TopicPartition> assigned = partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
            Map<TopicPartition, Long> start = consumer.beginningOffsets(assigned);
            if (start.values().stream().anyMatch(offset -> offset > 0)) {
                // Retraining needs the whole stream; purged records are gone by design.
                throw new IllegalStateException(topic + " was purged (log start offsets " + start + "): the oracle retrains"
                        + " from the whole stream, so run the applications it checks with lethe.purge.inputs=false");
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(topic, record.partition())) && record.value() != null) {
                        out.add(record);
                    }
                }
            }
        }
        return out;
    }
}
