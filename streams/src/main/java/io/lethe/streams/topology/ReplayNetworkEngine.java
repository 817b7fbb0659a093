package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.NumericThreads;
import io.lethe.learning.gradient.MlpLearner;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.modelstore.StoredCheckpoint;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * buffer and applies gradient ascent to the network: approximate, and the receipt says so.
 */
final class ReplayNetworkEngine implements LearningEngine {

    private final LetheConfig config;
    private final MlpLearner network;
    private final ReplayTrainer trainer;
    private KeyValueStore<String, byte[]> bufferStore;
    private int lastBufferRemovals;

    ReplayNetworkEngine(LetheConfig config) {
        this.config = config;
        NumericThreads.apply(config.learner().threads());
        this.network = config.learner().newMlp(config.featureMap().inputDim(), config.maxClasses());
        this.trainer = config.learner().rehearsal().trainer(network);
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
    }

    @Override
    public void learn(List<TrainingExample> examples, boolean fresh) {
        int step = config.learnBatchSize();
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
    public void unlearn(List<TrainingExample> examples) {
        Set<String> keys = new HashSet<>();
        examples.forEach(example -> keys.add(RetainedExamples.key(example)));
        List<ReplayItem<float[]>> purged = trainer.forget(item -> keys.contains(item.exampleId()));
        purged.forEach(item -> bufferStore.delete(item.exampleId()));
        lastBufferRemovals = purged.size();
        network.unlearn(ExampleBatches.of(examples, config.featureMap().inputDim()));
    }

    @Override
    public Verification verify(int removed) {
        return new Verification("none-approximate-gradient-ascent", null, "removed " + removed
                + " examples approximately (one gradient-ascent step on them; no guarantee of equalling retraining) and "
                + lastBufferRemovals + " of them from the replay buffer");
    }

    @Override
    public void onIdle() {
        // Nothing deferred.
    }

    @Override
    public StoredCheckpoint writeCheckpoint(CheckpointStore store) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 21);
        network.writeState(new DataOutputStream(bytes));
        return store.writeCheckpointBytes(bytes.toByteArray());
    }

    @Override
    public Learner learner() {
        return network;
    }

    @Override
    public long seed() {
        return config.learner().seed();
    }

    @Override
    public void warmUp() {
        MlpLearner scratch = config.learner().newMlp(config.featureMap().inputDim(), config.maxClasses());
        int n = config.learnBatchSize() + config.learner().rehearsal().budget();
        scratch.learn(new LabeledBatch(Nd4j.rand(DataType.FLOAT, n, config.featureMap().inputDim()), new int[n]));
        scratch.predict(Nd4j.rand(DataType.FLOAT, 4, config.featureMap().inputDim()));
    }
}
