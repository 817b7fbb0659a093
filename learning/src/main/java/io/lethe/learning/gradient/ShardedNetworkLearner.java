package io.lethe.learning.gradient;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.UnlearningResult;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SISA (Bourtoule et al., "Machine Unlearning", IEEE S&P 2021): K networks, each learning only the
 * subjects hashed to it, with a replay buffer of its own; they predict together by averaging their
 * class probabilities. Unlearning a subject retrains only the shards that held it, from those shards'
 * retained data: the result is exactly the ensemble trained without the erased data, at about 1/K of
 * the cost of retraining everything (more shards: cheaper erasures, weaker members).
 *
 * <p>Each shard steps on batches of its own items ({@code batchSize} of them, as they arrive), so a
 * shard's network depends on its own data sequence only: retraining one shard from its retained
 * data in order reproduces, bit for bit, the shard of an ensemble that never saw the erased data,
 * and the other shards are that ensemble's already.
 */
public final class ShardedNetworkLearner implements Learner {

    private static final int STATE_MAGIC = 0x53495341; // "SISA"

    private final List<ReplayNetworkLearner> shards;
    private final List<List<ReplayItem<float[]>>> pending = new ArrayList<>();
    private final int batchSize;
    private long rowsLearned;

    /** {@code shard} builds shard i as new (its network and buffer, seeded for i). */
    public ShardedNetworkLearner(int count, int batchSize, IntFunction<ReplayNetworkLearner> shard) {
        if (count < 1 || batchSize < 1) {
            throw new IllegalArgumentException("SISA needs at least one shard and a batch of at least one, got " + count
                    + " and " + batchSize);
        }
        List<ReplayNetworkLearner> built = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            built.add(shard.apply(i));
            pending.add(new ArrayList<>());
        }
        this.shards = List.copyOf(built);
        this.batchSize = batchSize;
    }

    /** The shard a subject's data belongs to: a fixed function of its id (String's hash is specified). */
    public static int shardOf(String subject, int count) {
        long h = subject.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= h >>> 32;
        return (int) Math.floorMod(h, (long) count);
    }

    public int count() {
        return shards.size();
    }

    public ReplayNetworkLearner shard(int i) {
        return shards.get(i);
    }

    /**
     * Learns keyed items: each goes to its subject's shard, which steps (with its own rehearsal) each
     * time it has a batch of its own. Items waiting for their shard's batch are learned by
     * {@link #flush()}.
     */
    public ReplayTrainer.BufferChange learn(List<ReplayItem<float[]>> items, boolean store) {
        List<ReplayItem<float[]>> added = new ArrayList<>();
        List<ReplayItem<float[]>> evicted = new ArrayList<>();
        for (ReplayItem<float[]> item : items) {
            int i = shardOf(item.subjectId(), shards.size());
            pending.get(i).add(item);
            if (pending.get(i).size() >= batchSize) {
                step(i, store, added, evicted);
            }
        }
        return new ReplayTrainer.BufferChange(added, evicted);
    }

    /** Learns every item still waiting for its shard's batch. */
    public ReplayTrainer.BufferChange flush(boolean store) {
        List<ReplayItem<float[]>> added = new ArrayList<>();
        List<ReplayItem<float[]>> evicted = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            if (!pending.get(i).isEmpty()) {
                step(i, store, added, evicted);
            }
        }
        return new ReplayTrainer.BufferChange(added, evicted);
    }

    private void step(int shard, boolean store, List<ReplayItem<float[]>> added, List<ReplayItem<float[]>> evicted) {
        ReplayTrainer.BufferChange change = shards.get(shard).learn(new ArrayList<>(pending.get(shard)), store);
        pending.get(shard).clear();
        added.addAll(change.added());
        evicted.addAll(change.evicted());
    }

    /**
     * Trains a shard as new from its retained items, in their order: what {@link #unlearnSubjects}
     * puts in place of a shard that held erased data.
     */
    public static ReplayNetworkLearner trainShard(ReplayNetworkLearner fresh, List<ReplayItem<float[]>> items, int batchSize) {
        for (int from = 0; from < items.size(); from += batchSize) {
            fresh.learn(items.subList(from, Math.min(items.size(), from + batchSize)), true);
        }
        return fresh;
    }

    /** The shards that hold data of these subjects. */
    public TreeSet<Integer> shardsOf(Collection<String> subjects) {
        TreeSet<Integer> out = new TreeSet<>();
        subjects.forEach(subject -> out.add(shardOf(subject, shards.size())));
        return out;
    }

    /**
     * Unlearns by retraining every shard that held the forgotten subjects: {@code retrain} builds
     * shard i anew from its retained data only; the other shards are untouched.
     */
    public UnlearningResult unlearnSubjects(Collection<String> subjects, long examples, IntFunction<ReplayNetworkLearner> retrain) {
        long started = System.nanoTime();
        TreeSet<Integer> affected = shardsOf(subjects);
        for (int i : affected) {
            copyState(retrain.apply(i), shards.get(i));
            pending.get(i).clear(); // the retrained shard has learned all of its retained data
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("shards_retrained", (double) affected.size());
        metrics.put("shards", (double) shards.size());
        metrics.put("retrain_ms", (System.nanoTime() - started) / 1e6);
        return new UnlearningResult("sisa-retrain", true, examples, null, metrics);
    }

    /** Learns a plain batch: each row is its own subject (keyed by batch and row), spread over the shards. */
    @Override
    public void learn(LabeledBatch batch) {
        float[][] rows = batch.inputs().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatMatrix();
        List<ReplayItem<float[]>> items = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            String key = String.format("rows-%012d", rowsLearned++);
            items.add(ReplayTrainer.item(key, key, 0, batch.labels()[i], rows[i]));
        }
        learn(items, true);
        flush(true);
    }

    @Override
    public UnlearningResult unlearn(LabeledBatch batch) {
        throw new UnsupportedOperationException("a sharded learner unlearns by retraining shards from their retained"
                + " data: use unlearnSubjects");
    }

    /** The shards' mean class probabilities: what the checkpoint ({@link #predictor()}) computes. */
    @Override
    public INDArray scores(INDArray inputs) {
        return ShardedPredictor.mean(shards.stream().map(shard -> shard.scores(inputs)).toList());
    }

    @Override
    public int[] predict(INDArray inputs) {
        return io.lethe.learning.Argmax.rows(scores(inputs));
    }

    @Override
    public int[] classes() {
        return shards.get(0).classes();
    }

    /** Examples the ensemble holds: learned by a shard, or waiting for its shard's next batch. */
    @Override
    public long retainedExamples() {
        return shards.stream().mapToLong(ReplayNetworkLearner::retainedExamples).sum()
                + pending.stream().mapToLong(List::size).sum();
    }

    /** The ensemble as a checkpoint predicts. */
    public ShardedPredictor predictor() {
        return new ShardedPredictor(shards.stream().map(s -> s.network().predictor()).toList());
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>(shards.get(0).config());
        config.put("sisa.shards", Integer.toString(shards.size()));
        return config;
    }

    /** What the ensemble knows, without serialization timestamps: each shard's content and its waiting items. */
    public void writeContent(DataOutputStream out) throws IOException {
        for (int i = 0; i < shards.size(); i++) {
            shards.get(i).writeContent(out);
            out.writeInt(pending.get(i).size());
            for (ReplayItem<float[]> item : pending.get(i)) {
                out.writeUTF(item.exampleId());
            }
        }
        out.flush();
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        out.writeInt(STATE_MAGIC);
        out.writeInt(shards.size());
        out.writeLong(rowsLearned);
        for (int i = 0; i < shards.size(); i++) {
            shards.get(i).writeState(out);
            out.writeInt(pending.get(i).size());
            for (ReplayItem<float[]> item : pending.get(i)) {
                out.writeUTF(item.exampleId());
                out.writeUTF(item.subjectId());
                out.writeInt(item.task());
                out.writeInt(item.label());
                out.writeInt(item.payload().length);
                for (float v : item.payload()) {
                    out.writeFloat(v);
                }
            }
        }
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        if (in.readInt() != STATE_MAGIC) {
            throw new IOException("not a sharded learner's state");
        }
        int count = in.readInt();
        if (count != shards.size()) {
            throw new IOException("the state has " + count + " shards, this learner " + shards.size()
                    + " (lethe.network.shards must not change over a state)");
        }
        rowsLearned = in.readLong();
        for (int i = 0; i < shards.size(); i++) {
            shards.get(i).readState(in);
            pending.get(i).clear();
            int waiting = in.readInt();
            for (int k = 0; k < waiting; k++) {
                String key = in.readUTF();
                String subject = in.readUTF();
                int task = in.readInt();
                int label = in.readInt();
                float[] payload = new float[in.readInt()];
                for (int j = 0; j < payload.length; j++) {
                    payload[j] = in.readFloat();
                }
                pending.get(i).add(ReplayTrainer.item(key, subject, task, label, payload));
            }
        }
    }

    private static void copyState(ReplayNetworkLearner from, ReplayNetworkLearner to) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
            from.writeState(new DataOutputStream(bytes));
            to.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
