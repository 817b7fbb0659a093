package io.lethe.learning.gradient;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.UnlearningResult;
import io.lethe.learning.metrics.Accuracy;
import io.lethe.learning.replay.RehearsalConfig;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import io.lethe.learning.unlearning.Minibatches;
import io.lethe.learning.unlearning.UnlearningMethod;
import io.lethe.learning.unlearning.UnlearningMetrics;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The network learner as one learner: a {@link NetworkLearner}, its replay buffer and rehearsal
 * schedule ({@link ReplayTrainer}) and its unlearning method, composed. Learning is one SGD step on
 * new examples plus rehearsal; unlearning takes the examples out of the buffer and runs the method
 * with the buffer as remain data. Examples are keyed: the stream keys them by subject and id; plain
 * {@link #learn(LabeledBatch)} keys them by batch and row.
 *
 * <p>Unlearning repeats bit for bit on a replay: its seed comes from what it forgets (the sorted
 * keys) and the learner's seed, and its remain data is the buffer in key order. The state (network,
 * buffer, counters, the buffer's random state) round-trips through {@link #writeState}.
 */
public final class ReplayNetworkLearner implements NetworkBacked {

    private static final int STATE_MAGIC = 0x4c524e31; // "LRN1"
    /** As LRN1, followed by the training strategy's state. */
    private static final int STATE_MAGIC_WITH_STRATEGY = 0x4c524e32; // "LRN2"

    private final NetworkLearner network;
    private final ReplayTrainer trainer;
    private final UnlearningMethod method;
    private final RehearsalConfig rehearsal;
    private final long seed;
    private final io.lethe.learning.strategy.TrainingStrategy strategy;
    private long batchesLearned;

    /** {@code method} is what the network's shape can run: see {@link UnlearningMethod#forNetwork}. */
    public ReplayNetworkLearner(NetworkLearner network, RehearsalConfig rehearsal, UnlearningMethod method, long seed) {
        this(network, rehearsal, method, seed, null);
    }

    /**
     * With a training strategy (null: none) around each step; it is this learner's own (it keeps
     * state, written with the learner's).
     */
    public ReplayNetworkLearner(NetworkLearner network, RehearsalConfig rehearsal, UnlearningMethod method, long seed,
                                io.lethe.learning.strategy.TrainingStrategy strategy) {
        if (!method.supports(network.architecture())) {
            throw new IllegalArgumentException(method.name() + " cannot unlearn from a " + network.architecture());
        }
        this.network = network;
        this.rehearsal = rehearsal;
        this.strategy = strategy;
        this.trainer = io.lethe.learning.strategy.TrainingStrategies.trainer(rehearsal, network, strategy,
                network.learningRate());
        this.method = method;
        this.seed = seed;
    }

    /** One training step on the items plus rehearsal; {@code store} offers them to the buffer. */
    public ReplayTrainer.BufferChange learn(List<ReplayItem<float[]>> items, boolean store) {
        return trainer.learn(items, store);
    }

    @Override
    public void learn(LabeledBatch batch) {
        List<ReplayItem<float[]>> items = new ArrayList<>(batch.size());
        float[][] rows = rows(batch.inputs());
        for (int i = 0; i < rows.length; i++) {
            items.add(ReplayTrainer.item(String.format("batch-%012d-%06d", batchesLearned, i), "", 0, batch.labels()[i],
                    rows[i]));
        }
        batchesLearned++;
        learn(items, true);
    }

    /** Takes the keyed examples out of the buffer without unlearning (held-out or erased-before-learned data). */
    public List<ReplayItem<float[]>> forget(Collection<String> keys) {
        Set<String> selected = new HashSet<>(keys);
        return trainer.forget(item -> selected.contains(item.exampleId()));
    }

    /** As {@link #unlearn(Collection, LabeledBatch, LabeledBatch)}, without test data. */
    public UnlearningResult unlearn(Collection<String> keys, LabeledBatch forget) {
        return unlearn(keys, forget, null);
    }

    /**
     * Unlearns the keyed examples: they leave the buffer, then the method runs with the remaining
     * buffer (in key order) as remain data. The result carries the forget set's accuracy before and
     * after, the buffer's accuracy after, the time, and how many buffer entries were removed; with
     * test data (examples never learned), also the test accuracy and the membership-inference score
     * (members: the buffer; non-members: the test data), from one forward pass per set.
     */
    public UnlearningResult unlearn(Collection<String> keys, LabeledBatch forget, LabeledBatch test) {
        return unlearn(keys, forget, null, test);
    }

    /**
     * As above, with the remain data given (e.g. a class-stratified sample of every retained example,
     * not only the buffer); null uses the buffer. RA is then measured on that remain data.
     */
    public UnlearningResult unlearn(Collection<String> keys, LabeledBatch forget, LabeledBatch remain, LabeledBatch test) {
        int removedFromBuffer = forget(keys).size();
        LabeledBatch remainData = remain != null ? remain : remainData();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("forget_accuracy_before", Accuracy.percent(network, forget));
        long started = System.nanoTime();
        // With no retained example left in the buffer, a method that needs remain data cannot run:
        // plain gradient ascent, which needs none, does instead (and the result says so).
        UnlearningMethod run = remainData == null ? new io.lethe.learning.unlearning.Dl4jGradientAscent() : method;
        network.unlearn(forget, run, remainData == null ? null : Minibatches.of(remainData), unlearningSeed(keys));
        metrics.put("unlearning_ms", (System.nanoTime() - started) / 1e6);
        if (remainData != null && test != null) {
            UnlearningMetrics measured = UnlearningMetrics.measure(network, forget, remainData, test);
            metrics.put("forget_accuracy", 100 - measured.ua());
            metrics.put("retained_accuracy_replay_buffer", measured.ra());
            metrics.put("test_accuracy_holdout", measured.ta());
            metrics.put("mia_efficacy", measured.mia());
            metrics.put("holdout_examples", (double) test.size());
        } else {
            metrics.put("forget_accuracy", Accuracy.percent(network, forget));
            if (remainData != null) {
                metrics.put("retained_accuracy_replay_buffer", Accuracy.percent(network, remainData));
            }
        }
        metrics.put("replay_buffer_removed", (double) removedFromBuffer);
        return UnlearningResult.approximate(run.name(), forget.size(), metrics);
    }

    /**
     * The remain data: the buffer in key order, not insertion order (a buffer restored from a store
     * after a restart holds the same items in another order, and unlearning must not differ); null
     * when the buffer is empty.
     */
    public LabeledBatch remainData() {
        List<ReplayItem<float[]>> remaining = new ArrayList<>(trainer.buffer().items());
        remaining.sort(Comparator.comparing(ReplayItem::exampleId));
        return remaining.isEmpty() ? null : ReplayTrainer.toBatch(remaining);
    }

    /** Unlearns a batch learned earlier: its rows leave the buffer (matched by content), then as above. */
    @Override
    public UnlearningResult unlearn(LabeledBatch batch) {
        float[][] rows = rows(batch.inputs());
        List<String> keys = new ArrayList<>();
        for (ReplayItem<float[]> item : trainer.buffer().items()) {
            for (int i = 0; i < rows.length; i++) {
                if (item.label() == batch.labels()[i] && Arrays.equals(item.payload(), rows[i])) {
                    keys.add(item.exampleId());
                    break;
                }
            }
        }
        return unlearn(keys, batch);
    }

    /**
     * The seed of one unlearning run: derived from what it forgets (the sorted keys) and the
     * learner's seed, so a replay after a restart uses the seed the live run used.
     */
    public long unlearningSeed(Collection<String> keys) {
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(null);
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String key : sorted) {
                digest.update(key.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            return ByteBuffer.wrap(digest.digest()).getLong() ^ seed;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[][] rows(INDArray inputs) {
        return inputs.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatMatrix();
    }

    @Override
    public NetworkLearner network() {
        return network;
    }

    public ReplayTrainer trainer() {
        return trainer;
    }

    public UnlearningMethod method() {
        return method;
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> m = new LinkedHashMap<>(network.config());
        m.putAll(rehearsal.describe());
        method.config().forEach((k, v) -> m.put("unlearning." + k, v));
        if (strategy != null) {
            strategy.config().forEach((k, v) -> m.put("strategy." + k, v));
        }
        return m;
    }

    /** What the learner knows, without serialization timestamps (see {@link NetworkLearner#writeContent}). */
    public void writeContent(DataOutputStream out) throws IOException {
        network.writeContent(out);
        out.writeLong(batchesLearned);
        trainer.writeState(out);
        out.flush();
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        out.writeInt(strategy == null ? STATE_MAGIC : STATE_MAGIC_WITH_STRATEGY);
        network.writeState(out);
        out.writeLong(batchesLearned);
        trainer.writeState(out);
        if (strategy != null) {
            ((io.lethe.learning.strategy.StrategyLearner) trainer.learner()).writeStrategyState(out);
        }
        out.flush();
    }

    /**
     * Reads a state {@link #writeState} wrote; a first-release snapshot (the network's state alone)
     * is read too, leaving the buffer to whoever restores it (the stream's replay-buffer store).
     */
    @Override
    public void readState(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != STATE_MAGIC && magic != STATE_MAGIC_WITH_STRATEGY) {
            network.readState(new DataInputStream(new java.io.SequenceInputStream(
                    new java.io.ByteArrayInputStream(ByteBuffer.allocate(4).putInt(magic).array()), in)));
            return;
        }
        network.readState(in);
        batchesLearned = in.readLong();
        trainer.readState(in);
        if (magic == STATE_MAGIC_WITH_STRATEGY) {
            if (strategy == null) {
                throw new IOException("this state was written with a training strategy; this learner has none (set the"
                        + " same lethe.strategy to read it)");
            }
            ((io.lethe.learning.strategy.StrategyLearner) trainer.learner()).readStrategyState(in);
        }
        // A state without a strategy's part read into a learner with a strategy: the strategy starts
        // fresh from here (no anchor, no Fisher) rather than refusing the snapshot.
    }
}
