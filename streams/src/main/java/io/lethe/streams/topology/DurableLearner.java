package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.privacy.SubjectKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner's durability: a changelogged journal of learn/unlearn events, local snapshots of the
 * learner's state, and the counters in {@code learner-meta}, all committed with the input offsets
 * (exactly_once_v2).
 *
 * <p>The learner's own state (a d x d float64 inverse: 19 MB at d = 1,536) is not changelogged per
 * update; it is snapshotted to a local file every {@code lethe.snapshot.every.examples} journal events,
 * and the journal is cut back to the events after the snapshot in the same transaction that records
 * the snapshot. On start, the learner is the snapshot the committed metadata names plus the committed
 * journal: it covers exactly the committed input. Without that snapshot file (a new machine), it is
 * rebuilt from the retained examples, which is exact too, only slower.
 */
final class DurableLearner {

    static final String META_SNAPSHOT_SEQ = "snapshot.seq";
    static final String META_VERSION = "model.version";
    static final String META_EXAMPLES_LEARNED = "examples.learned";
    /** The journal sequence number at which {@link #META_EXAMPLES_LEARNED} was recorded. */
    static final String META_EXAMPLES_LEARNED_SEQ = "examples.learned.seq";
    private static final int REPLAY_CHUNK = 512;
    private static final Logger LOG = LoggerFactory.getLogger(DurableLearner.class);

    /** What the committed state says, after a restore. */
    record Restored(long version, long examplesLearned) {
    }

    private final LearningEngine engine;
    private final SubjectKeys keys;
    private final KeyValueStore<Long, byte[]> journal;
    private final KeyValueStore<String, Long> meta;
    private final SnapshotFiles snapshots;
    private final int snapshotEvery;
    /** During a replay, the journal's learn events not yet learned again (see {@link LearningEngine#learnedLater}). */
    private final Set<String> learnedLater = new HashSet<>();
    private long journalSeq;
    private long snapshotSeq;

    DurableLearner(LearningEngine engine, SubjectKeys keys, KeyValueStore<Long, byte[]> journal,
                   KeyValueStore<String, Long> meta, SnapshotFiles snapshots, int snapshotEvery) {
        this.engine = engine;
        this.keys = keys;
        this.journal = journal;
        this.meta = meta;
        this.snapshots = snapshots;
        this.snapshotEvery = snapshotEvery;
    }

    void learned(String exampleKey, SourcePosition source) {
        journal.put(++journalSeq, new JournalEvent(true, exampleKey, null, source.getTopic(), source.getPartition(),
                source.getOffset()).encode());
    }

    /**
     * An example the learner will unlearn: the event keeps its bytes (the retained store no longer
     * has them), sealed under the subject's key. A subject erasure destroys that key with its receipt;
     * a restart that then finds the event unreadable rebuilds the learner from the retained examples.
     */
    void unlearned(String exampleKey, byte[] exampleBytes, SourcePosition source) {
        byte[] sealed = keys.seal(RetainedExamples.refOf(exampleKey), exampleBytes);
        journal.put(++journalSeq, new JournalEvent(false, exampleKey, sealed, source.getTopic(),
                source.getPartition(), source.getOffset()).encode());
    }

    /** The sequence number of the newest journal event. */
    long journalPosition() {
        return journalSeq;
    }

    /** Journal events that hold an example's bytes, and how many of those can still be opened. */
    record JournalCopies(long held, long readable) {
    }

    /**
     * The journal events after {@code position} that still hold the bytes of any of these examples
     * (unlearn events keep them until a snapshot cuts the journal), and how many of them {@code keys}
     * can still open. One range scan: an erasure's receipt checks only the events written since the
     * erasure began, not the whole journal.
     */
    JournalCopies journalCopies(java.util.Set<String> exampleKeys, long position, SubjectKeys readableWith) {
        long held = 0;
        long readable = 0;
        try (KeyValueIterator<Long, byte[]> after = journal.range(position + 1, Long.MAX_VALUE)) {
            while (after.hasNext()) {
                JournalEvent event = JournalEvent.decode(after.next().value);
                if (!event.learn() && exampleKeys.contains(event.exampleKey())) {
                    held++;
                    readable += readableWith.canOpen(RetainedExamples.refOf(event.exampleKey()), event.exampleBytes()) ? 1 : 0;
                }
            }
        }
        return new JournalCopies(held, readable);
    }

    /** Records a published version and the learned count with it. */
    void versionPublished(long version, long examplesLearned) {
        meta.put(META_VERSION, version);
        meta.put(META_EXAMPLES_LEARNED, examplesLearned);
        meta.put(META_EXAMPLES_LEARNED_SEQ, journalSeq);
    }

    /** Snapshots the learner when due (or forced) and cuts the journal back to the events after it. */
    void maybeSnapshot(Map<String, Long> offsets, boolean force) {
        if (!force && journalSeq - snapshotSeq < snapshotEvery) {
            return;
        }
        try {
            snapshots.write(journalSeq, engine.learner(), offsets, keys);
        } catch (IOException e) {
            LOG.warn("learner snapshot failed; the journal keeps growing until one succeeds: {}", e.getMessage());
            return;
        }
        long previous = snapshotSeq;
        snapshotSeq = journalSeq;
        meta.put(META_SNAPSHOT_SEQ, snapshotSeq);
        try (KeyValueIterator<Long, byte[]> covered = journal.range(0L, snapshotSeq)) {
            List<Long> keys = new ArrayList<>();
            covered.forEachRemaining(kv -> keys.add(kv.key));
            keys.forEach(journal::delete);
        }
        // The superseded snapshot's key goes with this transaction: once it commits, the old file (which
        // may hold erased examples in a replay buffer) is unreadable even before it is deleted.
        keys.shred(SnapshotFiles.keyRef(previous));
        snapshots.deleteOlderThan(previous);
    }

    /** Rebuilds the learner so that it covers exactly the committed input (see the class comment). */
    Restored restore(RetainedExamples retained, Map<String, Long> offsets, String modelName) {
        long started = System.nanoTime();
        snapshotSeq = valueOr(META_SNAPSHOT_SEQ, 0);
        journalSeq = snapshotSeq;
        try (KeyValueIterator<Long, byte[]> last = journal.reverseAll()) {
            if (last.hasNext()) {
                journalSeq = Math.max(journalSeq, last.next().key);
            }
        }
        long examplesLearned = valueOr(META_EXAMPLES_LEARNED, 0) + learnEventsAfter(valueOr(META_EXAMPLES_LEARNED_SEQ, 0));
        String how;
        long shredded = unreadableUnlearnEvents();
        if (shredded > 0) {
            // An erasure destroyed the key of examples the snapshot still holds: the journal cannot take
            // them out again, so the learner is rebuilt from what is retained, which is exact.
            offsets.putAll(journalOffsets());
            how = shredded + " journal events under destroyed keys: rebuilt from " + rebuildFromRetained(retained)
                    + " retained examples";
        } else if (snapshotSeq > 0 && snapshots.exists(snapshotSeq)) {
            boolean stale = false;
            try {
                snapshots.read(snapshotSeq, engine.learner(), offsets, keys);
            } catch (io.lethe.learning.StaleStateException e) {
                LOG.warn("learner snapshot {} is stale ({}): rebuilding", snapshotSeq, e.getMessage());
                offsets.putAll(journalOffsets());
                stale = true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read learner snapshot " + snapshotSeq, e);
            }
            how = stale ? "a stale snapshot " + snapshotSeq + ": rebuilt from " + rebuildFromRetained(retained) + " retained examples"
                    : "snapshot " + snapshotSeq + " + " + replayJournal(retained, offsets) + " journal events";
        } else if (snapshotSeq > 0) {
            how = "no local snapshot " + snapshotSeq + ": rebuilt from " + rebuildFromRetained(retained) + " retained examples";
        } else {
            how = replayJournal(retained, offsets) + " journal events";
        }
        if (engine.learner().retainedExamples() > 0 || journalSeq > 0) {
            LOG.info("learner for model {} restored from {} in {} ms ({} examples retained)", modelName, how,
                    (System.nanoTime() - started) / 1_000_000, engine.learner().retainedExamples());
        }
        return new Restored(valueOr(META_VERSION, 0), examplesLearned);
    }

    private long valueOr(String key, long otherwise) {
        Long value = meta.get(key);
        return value == null ? otherwise : value;
    }

    /**
     * The count of learned examples is recorded with each version; the examples learned since then
     * are the journal's learn events after that point (the journal is only cut at a version).
     */
    private long learnEventsAfter(long recordedAt) {
        long count = 0;
        try (KeyValueIterator<Long, byte[]> after = journal.range(recordedAt + 1, Long.MAX_VALUE)) {
            while (after.hasNext()) {
                count += JournalEvent.decode(after.next().value).learn() ? 1 : 0;
            }
        }
        return count;
    }

    /** Unlearn events whose subject key an erasure destroyed since the snapshot. */
    private long unreadableUnlearnEvents() {
        long count = 0;
        try (KeyValueIterator<Long, byte[]> all = journal.all()) {
            while (all.hasNext()) {
                JournalEvent event = JournalEvent.decode(all.next().value);
                if (!event.learn() && !keys.canOpen(RetainedExamples.refOf(event.exampleKey()), event.exampleBytes())) {
                    count++;
                }
            }
        }
        return count;
    }

    private Map<String, Long> journalOffsets() {
        Map<String, Long> offsets = new java.util.HashMap<>();
        try (KeyValueIterator<Long, byte[]> all = journal.all()) {
            while (all.hasNext()) {
                JournalEvent event = JournalEvent.decode(all.next().value);
                offsets.merge(event.topic() + "-" + event.partition(), event.offset(), Math::max);
            }
        }
        return offsets;
    }

    private int replayJournal(RetainedExamples retained, Map<String, Long> offsets) {
        int events = 0;
        Set<String> skipped = new HashSet<>();
        learnedLater.clear();
        try (KeyValueIterator<Long, byte[]> all = journal.all()) {
            while (all.hasNext()) {
                JournalEvent event = JournalEvent.decode(all.next().value);
                if (event.learn()) {
                    learnedLater.add(event.exampleKey());
                }
            }
        }
        engine.learnedLater(learnedLater);
        List<TrainingExample> learnBatch = new ArrayList<>();
        List<TrainingExample> unlearnBatch = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> all = journal.all()) {
            while (all.hasNext()) {
                JournalEvent event = JournalEvent.decode(all.next().value);
                events++;
                offsets.merge(event.topic() + "-" + event.partition(), event.offset(), Math::max);
                if (event.learn()) {
                    byte[] bytes = retained.get(event.exampleKey());
                    if (bytes == null) {
                        skipped.add(event.exampleKey()); // Erased later in the journal: learn and unlearn cancel.
                        continue;
                    }
                    unlearnAll(unlearnBatch);
                    learnBatch.add(AvroCodec.TRAINING_EXAMPLE.decode(bytes));
                    learnIfFull(learnBatch, REPLAY_CHUNK);
                } else if (!skipped.remove(event.exampleKey())) {
                    learnIfFull(learnBatch, 1); // the example to unlearn may be in this batch
                    // Consecutive unlearn events (one erasure, or one batch of them) are undone together.
                    unlearnBatch.add(AvroCodec.TRAINING_EXAMPLE.decode(
                            keys.open(RetainedExamples.refOf(event.exampleKey()), event.exampleBytes())));
                }
            }
        }
        learnIfFull(learnBatch, 1);
        unlearnAll(unlearnBatch);
        learnedLater.clear();
        engine.learnedLater(Set.of());
        return events;
    }

    private int rebuildFromRetained(RetainedExamples retained) {
        int[] count = {0};
        List<TrainingExample> batch = new ArrayList<>();
        retained.forEach((key, bytes) -> {
            TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(bytes);
            if (!engine.holdsOut(example)) {
                batch.add(example);
                count[0]++;
                learnIfFull(batch, REPLAY_CHUNK);
            }
        });
        learnIfFull(batch, 1);
        return count[0];
    }

    private void unlearnAll(List<TrainingExample> batch) {
        if (!batch.isEmpty()) {
            engine.unlearn(batch);
            batch.clear();
        }
    }

    /** Re-learns committed input (not fresh: engine stores already hold it) once the batch is full. */
    private void learnIfFull(List<TrainingExample> batch, int size) {
        if (!batch.isEmpty() && batch.size() >= size) {
            engine.learn(batch, false);
            batch.forEach(example -> learnedLater.remove(RetainedExamples.key(example)));
            batch.clear();
        }
    }
}
