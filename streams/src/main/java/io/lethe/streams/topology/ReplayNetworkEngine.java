package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.GradientSettings;
import io.lethe.streams.LetheConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import io.lethe.learning.unlearning.Minibatches;
import io.lethe.learning.unlearning.UnlearningMethod;
import io.lethe.learning.unlearning.UnlearningMetrics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradient learner: a DL4J MLP trained by SGD on mini-batches of the stream, each mixed with
 * replayed examples as the rehearsal scheduler plans. The replay buffer lives in the changelogged
 * {@link StoreNames#REPLAY_BUFFER} store (every insertion and eviction is a put or a delete in the
 * same transaction as the input offsets), and is reloaded from it on start. Unlearning purges the
 * buffer and applies the configured approximate method (SFR-on by default) with the buffer as the
 * retained data; the receipt says so and carries the forget-set and buffer accuracies.
 */
final class ReplayNetworkEngine implements LearningEngine {

    private final LetheConfig config;
    private final NetworkLearner network;
    private final ReplayTrainer trainer;
    private final UnlearningMethod method;
    private final io.lethe.streams.erasure.HoldOutRule holdOutRule;
    private KeyValueStore<String, byte[]> bufferStore;
    private int bufferRemovals;
    private Map<String, Double> lastMetrics = Map.of();
    /** Held-out examples (key -> example), at most lethe.holdout.capacity: test data for TA and the MIA. */
    private final Map<String, TrainingExample> holdout = new java.util.TreeMap<>();

    ReplayNetworkEngine(LetheConfig config) {
        this.config = config;
        NumericThreads.apply(config.learner().threads());
        this.network = config.learner().newNetwork(config.featureMap().inputDim(), config.maxClasses());
        this.trainer = config.learner().rehearsal().trainer(network);
        this.method = UnlearningMethod.forNetwork(config.learner().unlearningMethod(), network.architecture());
        this.holdOutRule = config.learner().holdOutRule();
    }

    @Override
    public void init(ProcessorContext<?, ?> context) {
        bufferStore = context.getStateStore(StoreNames.REPLAY_BUFFER);
        List<String> overCapacity = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = bufferStore.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                ByteBuffer value = ByteBuffer.wrap(kv.value);
                int task = value.getInt();
                long seen = value.getLong();
                byte[] avro = new byte[value.remaining()];
                value.get(avro);
                TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(avro);
                ReplayItem<float[]> item = ReplayTrainer.item(kv.key, example.getSubjectId(), task, example.getLabel(),
                        ExampleBatches.input(example, config.featureMap().inputDim()));
                if (trainer.buffer().size() < trainer.buffer().maxItems()
                        && trainer.buffer().bytes() + item.sizeBytes() <= trainer.buffer().maxBytes()) {
                    trainer.restore(item, seen);
                } else {
                    overCapacity.add(kv.key); // the capacity was lowered since these were stored
                }
            }
        }
        overCapacity.forEach(bufferStore::delete);
        if (config.learner().holdoutPercent() > 0) {
            // Held-out examples are retained examples that the deterministic test selects.
            KeyValueStore<String, byte[]> retained = context.getStateStore(StoreNames.RETAINED_EXAMPLES);
            try (KeyValueIterator<String, byte[]> all = retained.all()) {
                while (all.hasNext()) {
                    TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(all.next().value);
                    if (holdsOut(example)) {
                        holdOut(example);
                    }
                }
            }
        }
    }

    @Override
    public void learn(List<TrainingExample> examples, boolean fresh) {
        int step = config.learner().batchSize();
        for (int from = 0; from < examples.size(); from += step) {
            List<TrainingExample> chunk = examples.subList(from, Math.min(examples.size(), from + step));
            Map<String, TrainingExample> byKey = new HashMap<>();
            List<ReplayItem<float[]>> items = new ArrayList<>(chunk.size());
            for (TrainingExample example : chunk) {
                String key = RetainedExamples.key(example);
                byKey.put(key, example);
                items.add(ReplayTrainer.item(key, example.getSubjectId(), example.getTask(), example.getLabel(),
                        ExampleBatches.input(example, config.featureMap().inputDim())));
            }
            ReplayTrainer.BufferChange change = trainer.learn(items, fresh);
            long seen = trainer.buffer().seen();
            for (ReplayItem<float[]> added : change.added()) {
                byte[] avro = AvroCodec.TRAINING_EXAMPLE.encode(byKey.get(added.exampleId()));
                bufferStore.put(added.exampleId(), ByteBuffer.allocate(12 + avro.length).putInt(added.task())
                        .putLong(seen).put(avro).array());
            }
            for (ReplayItem<float[]> evicted : change.evicted()) {
                bufferStore.delete(evicted.exampleId());
            }
        }
    }

    @Override
    public boolean holdsOut(TrainingExample example) {
        return holdOutRule.holdsOut(example);
    }

    @Override
    public void holdOut(TrainingExample example) {
        if (holdout.size() < config.learner().holdoutCapacity()) {
            holdout.put(RetainedExamples.key(example), example);
        }
    }

    @Override
    public void purge(List<TrainingExample> examples) {
        examples.forEach(example -> holdout.remove(RetainedExamples.key(example)));
        Set<String> keys = new HashSet<>();
        examples.forEach(example -> keys.add(RetainedExamples.key(example)));
        List<ReplayItem<float[]>> purged = trainer.forget(item -> keys.contains(item.exampleId()));
        purged.forEach(item -> bufferStore.delete(item.exampleId()));
        bufferRemovals += purged.size();
    }

    @Override
    public void unlearn(List<TrainingExample> examples) {
        purge(examples);
        LabeledBatch forget = ExampleBatches.of(examples, config.featureMap().inputDim());
        // In key order, not the buffer's insertion order: a buffer restored from its changelog after a
        // restart holds the same items in another order, and the replayed unlearning must not differ.
        List<ReplayItem<float[]>> remaining = new ArrayList<>(trainer.buffer().items());
        remaining.sort(java.util.Comparator.comparing(ReplayItem::exampleId));
        LabeledBatch remainEval = remaining.isEmpty() ? null : ReplayTrainer.toBatch(remaining);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("forget_accuracy_before", Accuracy.percent(network, forget));
        long started = System.nanoTime();
        network.unlearn(forget, method, remainEval == null ? null : Minibatches.of(remainEval), unlearningSeed(examples));
        metrics.put("unlearning_ms", (System.nanoTime() - started) / 1e6);
        // UA = 100 - forget accuracy; RA on the replay buffer (the retained data at hand); TA and the
        // membership score on the held-out examples, all from one forward pass per set when they exist.
        LabeledBatch test = holdout.isEmpty() || remainEval == null ? null
                : ExampleBatches.of(new ArrayList<>(holdout.values()), config.featureMap().inputDim());
        if (test != null) {
            UnlearningMetrics measured = UnlearningMetrics.measure(network, forget, remainEval, test);
            metrics.put("forget_accuracy", 100 - measured.ua());
            metrics.put("retained_accuracy_replay_buffer", measured.ra());
            metrics.put("test_accuracy_holdout", measured.ta());
            metrics.put("mia_efficacy", measured.mia());
            metrics.put("holdout_examples", (double) test.size());
        } else {
            metrics.put("forget_accuracy", Accuracy.percent(network, forget));
            if (remainEval != null) {
                metrics.put("retained_accuracy_replay_buffer", Accuracy.percent(network, remainEval));
            }
        }
        metrics.put("ua", 100 - metrics.get("forget_accuracy"));
        metrics.put("examples_unlearned", (double) examples.size());
        lastMetrics = metrics;
    }

    /**
     * The seed of one unlearning run, derived from what it forgets (the sorted example keys) and the
     * learner's seed: persistent data, so replaying the journal after a restart unlearns with the
     * same seed as the live run did, bit for bit, however many unlearnings the snapshot already held.
     */
    long unlearningSeed(List<TrainingExample> examples) {
        List<String> keys = new ArrayList<>(examples.size());
        examples.forEach(example -> keys.add(RetainedExamples.key(example)));
        java.util.Collections.sort(keys);
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            keys.forEach(key -> {
                digest.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            });
            return ByteBuffer.wrap(digest.digest()).getLong() ^ config.learner().seed();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Verification verify(int removed) {
        String name = method.name();
        return new Verification("approximate-" + name + "-metrics", null, "removed " + removed
                + " examples approximately (" + name + ", with the replay buffer as retained data; no guarantee"
                + " of equalling retraining: see the metrics) and " + bufferRemovals + " of them from the replay buffer",
                withBufferRemovals());
    }

    private Map<String, Double> withBufferRemovals() {
        Map<String, Double> metrics = new LinkedHashMap<>(lastMetrics);
        metrics.put("replay_buffer_removed", (double) bufferRemovals);
        bufferRemovals = 0;
        return metrics;
    }

    @Override
    public void onIdle() {
        // Nothing deferred.
    }

    @Override
    public io.lethe.learning.Predictor predictor() {
        return network.predictor();
    }

    @Override
    public String kind() {
        return network.architecture().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The settings that shape the model, with the unlearning method the network really runs. */
    @Override
    public int batchSize() {
        return config.learner().batchSize();
    }

    @Override
    public Map<String, String> describe() {
        GradientSettings settings = config.learner();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("learner", config.learnerKind());
        m.put("network", settings.network());
        m.put("mlp.hidden", Integer.toString(settings.hidden()));
        m.put("mlp.learning.rate", Double.toString(settings.learningRate()));
        m.put("mlp.seed", Long.toString(settings.seed()));
        m.putAll(settings.rehearsal().describe());
        method.config().forEach((k, v) -> m.put("unlearning." + k, v));
        m.put("max.classes", Integer.toString(config.maxClasses()));
        m.put("mlp.batch.size", Integer.toString(config.learner().batchSize()));
        return m;
    }

    @Override
    public Learner learner() {
        return network;
    }

    @Override
    public Map<String, Long> seeds() {
        return Map.of("mlp.seed", config.learner().seed());
    }

    @Override
    public void warmUp() {
        NetworkLearner scratch = config.learner().newNetwork(config.featureMap().inputDim(), config.maxClasses());
        int n = config.learner().batchSize() + config.learner().rehearsal().budget();
        scratch.learn(new LabeledBatch(Nd4j.rand(DataType.FLOAT, n, config.featureMap().inputDim()), new int[n]));
        scratch.predict(Nd4j.rand(DataType.FLOAT, 4, config.featureMap().inputDim()));
    }
}
