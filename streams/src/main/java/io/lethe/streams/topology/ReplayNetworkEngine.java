package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.UnlearningResult;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.gradient.ReplayNetworkLearner;
import io.lethe.learning.replay.ReplayBuffer;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.GradientSettings;
import io.lethe.streams.LetheConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import io.lethe.learning.gradient.GuardedUnlearning;
import io.lethe.learning.unlearning.UnlearningMethod;
import io.lethe.streams.metrics.RetrainingProgress;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradient learner ({@link ReplayNetworkLearner}: a DL4J network trained by SGD on mini-batches of
 * the stream, each mixed with replayed examples as the rehearsal scheduler plans, and its unlearning
 * method) in the stream: this engine keeps its buffer in a store and its held-out examples. The replay buffer lives in the changelogged
 * {@link StoreNames#REPLAY_BUFFER} store (every insertion and eviction is a put or a delete in the
 * same transaction as the input offsets), and is reloaded from it on start. Unlearning purges the
 * buffer and applies the configured approximate method (SFR-on by default) with the buffer as the
 * retained data; the receipt says so and carries the forget-set and buffer accuracies.
 */
final class ReplayNetworkEngine implements LearningEngine {

    private final LetheConfig config;
    private final ReplayNetworkLearner learner;
    private final NetworkLearner network;
    private final HeldOutExamples holdout;
    private ReplayBufferStore bufferStore;
    private io.lethe.streams.privacy.SubjectKeys keys;
    private RetainedTrainingData retainedData;
    private final io.lethe.learning.gradient.GuardedUnlearning policy;
    private boolean lastExact;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplayNetworkEngine.class);
    private int bufferRemovals;
    private Map<String, Double> lastMetrics = Map.of();
    private String lastMethod;

    ReplayNetworkEngine(LetheConfig config) {
        this.config = config;
        NumericThreads.apply(config.learner().threads());
        this.network = config.learner().newNetwork(config.featureMap().inputDim(), config.maxClasses());
        this.learner = new ReplayNetworkLearner(network, config.learner().rehearsal(),
                UnlearningMethod.forNetwork(config.learner().unlearningMethod(), network.architecture()), config.learner().seed(),
                config.learner().newStrategy(config.learner().seed()));
        this.holdout = new HeldOutExamples(config.learner().holdOutRule(), config.learner().holdoutCapacity());
        this.lastMethod = learner.method().name();
        this.policy = config.learner().unlearningPolicy().policy();
    }

    @Override
    public void init(ProcessorContext<?, ?> context, io.lethe.streams.privacy.SubjectKeys subjectKeys) {
        this.keys = subjectKeys;
        bufferStore = new ReplayBufferStore(context.getStateStore(StoreNames.REPLAY_BUFFER), keys);
        retainedData = new RetainedTrainingData(context.getStateStore(StoreNames.RETAINED_EXAMPLES), keys,
                config.learner().holdOutRule());
        loadBufferFromStore();
        holdout.load(context.getStateStore(StoreNames.RETAINED_EXAMPLES), keys);
    }

    /**
     * After a snapshot was read and the journal replayed: the store, committed with the input
     * offsets, holds the buffer as it is now (the snapshot's is older), so it is put back from there.
     */
    @Override
    public void restored() {
        ReplayBuffer<float[]> buffer = learner.trainer().buffer();
        buffer.reset(buffer.seen(), buffer.randomState());
        loadBufferFromStore();
    }

    private void loadBufferFromStore() {
        ReplayTrainer trainer = learner.trainer();
        List<String> overCapacity = new ArrayList<>();
        for (ReplayBufferStore.Entry entry : bufferStore.entries()) {
            TrainingExample example = entry.example();
            ReplayItem<float[]> item = ExampleBatches.replayItem(entry.key(), example, entry.task(),
                    config.featureMap().inputDim());
            if (trainer.buffer().size() < trainer.buffer().maxItems()
                    && trainer.buffer().bytes() + item.sizeBytes() <= trainer.buffer().maxBytes()) {
                trainer.restore(item, entry.seen());
            } else {
                overCapacity.add(entry.key()); // the capacity was lowered since these were stored
            }
        }
        overCapacity.forEach(bufferStore::delete);
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
                items.add(ExampleBatches.replayItem(key, example, example.getTask(), config.featureMap().inputDim()));
            }
            ReplayTrainer.BufferChange change = learner.learn(items, fresh);
            long seen = learner.trainer().buffer().seen();
            bufferStore.record(change, byKey::get, example -> seen);
        }
    }

    @Override
    public boolean holdsOut(TrainingExample example) {
        return holdout.holdsOut(example);
    }

    @Override
    public void holdOut(TrainingExample example) {
        holdout.offer(example);
    }

    @Override
    public void purge(List<TrainingExample> examples) {
        List<String> keys = keys(examples);
        holdout.removeAll(keys);
        List<ReplayItem<float[]>> purged = learner.forget(keys);
        purged.forEach(item -> bufferStore.delete(item.exampleId()));
        bufferRemovals += purged.size();
    }

    /**
     * Unlearns: the examples leave the buffer, then, with the policy on (the default), the approximate
     * method runs on remain data drawn from the whole retained store and is measured by the guard; a
     * run the guard refuses, or an erasure too large for approximation, retrains the network exactly
     * from the retained examples (see {@link io.lethe.learning.gradient.GuardedUnlearning}).
     */
    @Override
    public void learnedLater(java.util.Set<String> exampleKeys) {
        retainedData.learnedLater(exampleKeys);
    }

    @Override
    public void unlearn(List<TrainingExample> examples) {
        purge(examples);
        int dim = config.featureMap().inputDim();
        LabeledBatch forget = ExampleBatches.of(examples, dim);
        List<String> keys = keys(examples);
        // TA and the membership score on the held-out examples, when there are any.
        LabeledBatch test = holdout.batch(dim);
        int remainSize = config.learner().unlearningPolicy().remainSize();
        RetainedTrainingData.Scan scan = policy != null || remainSize > 0
                ? retainedData.scan(remainSize, learner.unlearningSeed(keys), config.maxClasses()) : null;
        LabeledBatch remain = scan == null ? null : RetainedTrainingData.batch(scan.sample(), dim);
        UnlearningResult result = policy == null ? learner.unlearn(keys, forget, remain, test)
                : policy.unlearn(learner, keys, forget, remain, test, scan.count(), this::retrainFromStore);
        Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
        metrics.remove("replay_buffer_removed"); // counted by purge, when the erasure took them out of the state
        metrics.put("ua", 100 - metrics.get("forget_accuracy"));
        metrics.put("examples_unlearned", (double) examples.size());
        if (scan != null) {
            metrics.put("retained_examples", (double) scan.count());
            metrics.put("remain_examples", remain == null ? 0.0 : remain.size());
        }
        lastExact = result.exact();
        lastMethod = result.method();
        lastMetrics = metrics;
        if (result.exact()) {
            rewriteBufferStore();
        }
    }

    /**
     * Exact retraining: a network and buffer as new (same seed, settings and rehearsal), trained on
     * every retained example in stream order. Deterministic, so a replay after a crash retrains to the
     * same network; nothing is published before it is done.
     */
    private ReplayNetworkLearner retrainFromStore() {
        long started = System.nanoTime();
        List<RetainedTrainingData.Entry> data = retainedData.inStreamOrder();
        ReplayNetworkLearner fresh = new ReplayNetworkLearner(
                config.learner().newNetwork(config.featureMap().inputDim(), config.maxClasses()), config.learner().rehearsal(),
                learner.method(), config.learner().seed(), config.learner().newStrategy(config.learner().seed()));
        LOG.info("model {}: retraining the network exactly from {} retained examples", config.modelName(), data.size());
        int step = config.learner().batchSize();
        int reported = 0;
        long startedMs = System.currentTimeMillis();
        try {
            for (int from = 0; from < data.size(); from += step) {
                List<ReplayItem<float[]>> items = new ArrayList<>();
                for (RetainedTrainingData.Entry entry : data.subList(from, Math.min(data.size(), from + step))) {
                    items.add(ExampleBatches.replayItem(entry.key(), entry.example(), entry.example().getTask(),
                            config.featureMap().inputDim()));
                }
                fresh.learn(items, true);
                int done = Math.min(data.size(), from + step);
                RetrainingProgress.update(config.modelName(), done, data.size(), startedMs, GuardedUnlearning.EXACT_RETRAIN);
                int percent = (int) (100L * done / data.size());
                if (percent >= reported + 25) {
                    reported = percent - percent % 25;
                    LOG.info("model {}: retraining {}% ({} of {} examples, {} s)", config.modelName(), reported, done,
                            data.size(), (System.nanoTime() - started) / 1_000_000_000);
                }
            }
        } finally {
            RetrainingProgress.finished(config.modelName());
        }
        retrainedFrom = data;
        return fresh;
    }

    /** The retained examples the last retraining learned: their sealed bytes refill the buffer's store. */
    private List<RetainedTrainingData.Entry> retrainedFrom = List.of();

    /** After a retraining, the buffer store holds exactly the new buffer (same sealed bytes as the retained store). */
    private void rewriteBufferStore() {
        bufferStore.deleteWhere(key -> true);
        Map<String, byte[]> sealed = new HashMap<>();
        retrainedFrom.forEach(entry -> sealed.put(entry.key(), entry.sealed()));
        long seen = learner.trainer().buffer().seen();
        for (ReplayItem<float[]> item : learner.trainer().buffer().items()) {
            bufferStore.putSealed(item.exampleId(), item.task(), seen, sealed.get(item.exampleId()));
        }
        retrainedFrom = List.of();
    }

    /**
     * The seed of one unlearning run, derived from what it forgets (the sorted example keys) and the
     * learner's seed: persistent data, so replaying the journal after a restart unlearns with the
     * same seed as the live run did, bit for bit, however many unlearnings the snapshot already held.
     */
    long unlearningSeed(List<TrainingExample> examples) {
        return learner.unlearningSeed(keys(examples));
    }

    /** The keys the replay buffer holds now. */
    java.util.Set<String> bufferKeys() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        learner.trainer().buffer().items().forEach(item -> out.add(item.exampleId()));
        return out;
    }

    private static List<String> keys(List<TrainingExample> examples) {
        return examples.stream().map(RetainedExamples::key).toList();
    }

    @Override
    public Verification verify(int removed) {
        String name = lastMethod;
        if (lastExact) {
            return new Verification(io.lethe.learning.gradient.GuardedUnlearning.EXACT_RETRAIN, null, "removed " + removed
                    + " examples exactly: the network was retrained from the retained examples only "
                    + name.substring(io.lethe.learning.gradient.GuardedUnlearning.EXACT_RETRAIN.length()).trim()
                    + ", and " + bufferRemovals + " of them from the replay buffer", withBufferRemovals());
        }
        String remain = config.learner().unlearningPolicy().remainSize() > 0 ? "a class-stratified sample of the retained"
                + " examples" : "the replay buffer";
        return new Verification(name.startsWith("approximate-") ? name + "-metrics" : "approximate-" + name + "-metrics",
                null, "removed " + removed + " examples approximately (" + name + ", with " + remain + " as remain data"
                + (policy == null ? "; unguarded" : "; accepted by the utility guard") + "; no guarantee of equalling"
                + " retraining: see the metrics) and " + bufferRemovals + " of them from the replay buffer",
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
        learner.method().config().forEach((k, v) -> m.put("unlearning." + k, v));
        if (!settings.strategy().equals("none")) {
            m.put("strategy", settings.strategy());
        }
        m.put("max.classes", Integer.toString(config.maxClasses()));
        m.put("mlp.batch.size", Integer.toString(config.learner().batchSize()));
        return m;
    }

    @Override
    public Learner learner() {
        return learner;
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
