package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.gradient.ReplayNetworkLearner;
import io.lethe.learning.gradient.ShardedNetworkLearner;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.unlearning.UnlearningMethod;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.privacy.SubjectKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network learner sharded for exact unlearning (SISA, {@code lethe.network.shards} > 1): K
 * networks with a replay buffer each, every subject's data in one of them ({@link ShardedNetworkLearner}).
 * An erasure retrains the shards that held the erased examples, each from its own retained examples
 * in stream order: the ensemble then equals one that never learned them. The buffers share the
 * {@link StoreNames#REPLAY_BUFFER} store (keys name the subject, so each entry goes back to its shard).
 */
final class ShardedNetworkEngine implements LearningEngine {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedNetworkEngine.class);

    private final LetheConfig config;
    private final ShardedNetworkLearner learner;
    private final IntFunction<ReplayNetworkLearner> fresh;
    private final HeldOutExamples holdout;
    private ReplayBufferStore bufferStore;
    private SubjectKeys keys;
    private RetainedTrainingData retainedData;
    private Map<String, Double> lastMetrics = Map.of();

    ShardedNetworkEngine(LetheConfig config) {
        this.config = config;
        NumericThreads.apply(config.learner().threads());
        int dim = config.featureMap().inputDim();
        long seed = config.learner().seed();
        io.lethe.learning.replay.RehearsalConfig r = config.learner().rehearsal();
        this.fresh = i -> new ReplayNetworkLearner(config.learner().newNetwork(dim, config.maxClasses(), seed + i),
                new io.lethe.learning.replay.RehearsalConfig(r.scheduler(), r.exponent(), r.budget(), r.capacity(),
                        r.maxBytes(), r.policy(), r.taskFreeWindow(), r.seed() + i),
                UnlearningMethod.forNetwork(config.learner().unlearningMethod(),
                        io.lethe.learning.gradient.NetworkLearner.Architecture.named(config.learner().network())),
                seed + i, config.learner().newStrategy(seed + i));
        this.learner = new ShardedNetworkLearner(config.learner().shards(), config.learner().batchSize(), fresh);
        this.holdout = new HeldOutExamples(config.learner().holdOutRule(), config.learner().holdoutCapacity());
    }

    private int shardOf(String subjectRef) {
        return ShardedNetworkLearner.shardOf(subjectRef, learner.count());
    }

    @Override
    public void init(ProcessorContext<?, ?> context, SubjectKeys subjectKeys) {
        this.keys = subjectKeys;
        bufferStore = new ReplayBufferStore(context.getStateStore(StoreNames.REPLAY_BUFFER), keys);
        retainedData = new RetainedTrainingData(context.getStateStore(StoreNames.RETAINED_EXAMPLES), keys,
                config.learner().holdOutRule());
        loadBuffersFromStore();
        holdout.load(context.getStateStore(StoreNames.RETAINED_EXAMPLES), keys);
    }

    @Override
    public void restored() {
        for (int i = 0; i < learner.count(); i++) {
            var buffer = learner.shard(i).trainer().buffer();
            buffer.reset(buffer.seen(), buffer.randomState());
        }
        loadBuffersFromStore();
    }

    private void loadBuffersFromStore() {
        for (ReplayBufferStore.Entry entry : bufferStore.entries()) {
            learner.shard(shardOf(entry.example().getSubjectId())).trainer()
                    .restore(item(entry.key(), entry.example(), entry.task()), entry.seen());
        }
    }

    private ReplayItem<float[]> item(String key, TrainingExample e, int task) {
        return ExampleBatches.replayItem(key, e, task, config.featureMap().inputDim());
    }

    @Override
    public void learn(List<TrainingExample> examples, boolean fresh) {
        Map<String, TrainingExample> byKey = new HashMap<>();
        List<ReplayItem<float[]>> items = new ArrayList<>(examples.size());
        for (TrainingExample example : examples) {
            String key = RetainedExamples.key(example);
            byKey.put(key, example);
            items.add(item(key, example, example.getTask()));
        }
        // An added item may have waited for its shard's batch since an earlier call (or a restart).
        bufferStore.record(learner.learn(items, fresh), key -> byKey.containsKey(key) ? byKey.get(key) : retainedData.get(key),
                example -> learner.shard(shardOf(example.getSubjectId())).trainer().buffer().seen());
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
        List<String> keysOf = examples.stream().map(RetainedExamples::key).toList();
        holdout.removeAll(keysOf);
        for (int i = 0; i < learner.count(); i++) {
            learner.shard(i).forget(keysOf).forEach(item -> bufferStore.delete(item.exampleId()));
        }
    }

    /** Retrains every shard that held the erased examples from its retained examples, in stream order. */
    @Override
    public void learnedLater(java.util.Set<String> exampleKeys) {
        retainedData.learnedLater(exampleKeys);
    }

    @Override
    public void unlearn(List<TrainingExample> examples) {
        purge(examples);
        int dim = config.featureMap().inputDim();
        LabeledBatch forget = ExampleBatches.of(examples, dim);
        double forgetBefore = Accuracy.percent(learner, forget);
        Set<String> subjects = new TreeSet<>();
        examples.forEach(e -> subjects.add(e.getSubjectId()));
        Set<Integer> affected = learner.shardsOf(subjects);
        List<RetainedTrainingData.Entry> retained = retainedData.inStreamOrder();
        Map<String, byte[]> sealed = new HashMap<>();
        long startedMs = System.currentTimeMillis();
        int[] shardsDone = {0};
        io.lethe.learning.UnlearningResult result;
        try {
            result = learner.unlearnSubjects(subjects, examples.size(), i -> {
                List<ReplayItem<float[]>> shardData = new ArrayList<>();
                for (RetainedTrainingData.Entry entry : retained) {
                    if (shardOf(entry.example().getSubjectId()) == i) {
                        shardData.add(item(entry.key(), entry.example(), entry.example().getTask()));
                        sealed.put(entry.key(), entry.sealed());
                    }
                }
                LOG.info("model {}: retraining shard {} of {} from its {} retained examples", config.modelName(), i,
                        learner.count(), shardData.size());
                io.lethe.streams.metrics.RetrainingProgress.update(config.modelName(), shardsDone[0], affected.size(),
                        startedMs, "exact-sisa-retrain (shards)");
                ReplayNetworkLearner trained = ShardedNetworkLearner.trainShard(fresh.apply(i), shardData,
                        config.learner().batchSize());
                shardsDone[0]++;
                return trained;
            });
        } finally {
            io.lethe.streams.metrics.RetrainingProgress.finished(config.modelName());
        }
        rewriteBufferStore(affected, sealed);
        Map<String, Double> metrics = new LinkedHashMap<>(result.metrics());
        metrics.put("forget_accuracy_before", forgetBefore);
        metrics.put("forget_accuracy", Accuracy.percent(learner, forget));
        metrics.put("ua", 100 - metrics.get("forget_accuracy"));
        metrics.put("examples_unlearned", (double) examples.size());
        metrics.put("unlearning_ms", metrics.get("retrain_ms"));
        LabeledBatch test = holdout.batch(dim);
        if (test != null) {
            metrics.put("test_accuracy_holdout", Accuracy.percent(learner, test));
        }
        lastMetrics = metrics;
    }

    /** The retrained shards' buffer entries are replaced by their new buffers (same sealed bytes as the retained store). */
    private void rewriteBufferStore(Set<Integer> affected, Map<String, byte[]> sealed) {
        bufferStore.deleteWhere(key -> affected.contains(shardOf(RetainedExamples.refOf(key))));
        for (int i : affected) {
            var buffer = learner.shard(i).trainer().buffer();
            for (ReplayItem<float[]> item : buffer.items()) {
                bufferStore.putSealed(item.exampleId(), item.task(), buffer.seen(), sealed.get(item.exampleId()));
            }
        }
    }

    @Override
    public Verification verify(int removed) {
        return new Verification("exact-sisa-retrain", null, "removed " + removed + " examples exactly: retrained "
                + lastMetrics.getOrDefault("shards_retrained", 0.0).intValue() + " of " + learner.count()
                + " shards from their retained examples only", lastMetrics);
    }

    @Override
    public void onIdle() {
        // Items wait in their shard's batch; the stream's next examples complete it.
    }

    @Override
    public io.lethe.learning.Predictor predictor() {
        return learner.predictor();
    }

    @Override
    public String kind() {
        return "sisa-" + config.learner().network();
    }

    @Override
    public int batchSize() {
        return config.learner().batchSize();
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>(learner.config());
        m.put("learner", config.learnerKind());
        m.put("network.shards", Integer.toString(learner.count()));
        m.put("max.classes", Integer.toString(config.maxClasses()));
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
        // The shards are small networks; their first step warms them.
    }
}
