package io.lethe.streams.topology;

import io.lethe.modelstore.CheckpointManifest;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.modelstore.Provenance;
import io.lethe.modelstore.StoredCheckpoint;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.LearnerCommand;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.Lineage;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.TrainingExample;
import io.lethe.schemas.VersionTrigger;
import io.lethe.streams.LetheConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's single writer: learns examples in batches, unlearns erased ones (exactly with the
 * analytic engine, approximately with the gradient engine: see {@link LearningEngine}), publishes
 * model versions (every N examples, after every erasure, and when input pauses) and answers every
 * erasure request with one receipt.
 *
 * <p>Persistence: the retained examples and a journal of learn/unlearn events are changelogged
 * stores, committed atomically with the input offsets (exactly_once_v2). The learner's own state (a
 * d x d float64 inverse: 19 MB at d = 1,536) is not changelogged per update; it is snapshotted to
 * a local file every {@code lethe.snapshot.every.examples} journal events, and the journal is cut
 * back to the events after the snapshot in the same transaction that records the snapshot. On
 * start, the learner is the snapshot the committed metadata names plus the committed journal: it
 * covers exactly the committed input. Without that snapshot file (a new machine), it is rebuilt
 * from the retained examples, which is exact too, only slower.
 */
public final class ModelLearnerProcessor implements Processor<String, byte[], String, byte[]> {

    public static final String TO_MODEL_VERSIONS = "learner-to-model-versions";
    public static final String TO_RECEIPTS = "learner-to-receipts";
    public static final String TO_DEAD_LETTERS = "learner-to-dead-letters";
    public static final String TO_EVALUATIONS = "learner-to-evaluations";

    static final String META_SNAPSHOT_SEQ = "snapshot.seq";
    static final String META_VERSION = "model.version";
    static final String META_EXAMPLES_LEARNED = "examples.learned";
    /** The journal sequence number at which {@link #META_EXAMPLES_LEARNED} was recorded. */
    static final String META_EXAMPLES_LEARNED_SEQ = "examples.learned.seq";
    private static final int UNLEARN_CHUNK = 512;
    private static final Logger LOG = LoggerFactory.getLogger(ModelLearnerProcessor.class);
    private static final Map<String, String> LIBRARY_VERSIONS = VersionLineage.libraryVersions();

    private final LetheConfig config;
    private final CheckpointStore checkpoints;
    private final SnapshotFiles snapshots;
    private ProcessorContext<String, byte[]> context;
    private RetainedExamples retained;
    private KeyValueStore<Long, byte[]> journal;
    private KeyValueStore<String, Long> meta;
    /** request id -> examples it removed, for requests waiting for the end of their batching window. */
    private KeyValueStore<String, byte[]> pendingErasures;
    private final List<TrainingExample> pendingRemoved = new ArrayList<>();
    private final Map<String, ErasureRequest> pendingRequests = new java.util.HashMap<>();
    private long pendingSince;
    /** Of the examples the last erasure removed, those the model had learned (not held out). */
    private List<TrainingExample> removedFromModel = List.of();
    private long examplesCoveredByErasures;
    private final LearningEngine engine;
    private final EngineCapabilities capabilities;

    private final List<TrainingExample> pending = new ArrayList<>();
    private final Map<String, Long> offsets = new TreeMap<>();
    private final List<String> erasuresSincePublish = new ArrayList<>();
    private long journalSeq;
    private long snapshotSeq;
    private long version;
    private long examplesLearned;
    private long examplesSincePublish;
    private long examplesSinceEvaluation;
    private int newestTask;
    private ContinualEvaluator evaluator;
    private long lastInputAt;

    private final io.lethe.streams.metrics.LetheMetrics metrics;

    public ModelLearnerProcessor(LetheConfig config, io.lethe.streams.metrics.LetheMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.checkpoints = new CheckpointStore(config.modelStoreDir());
        this.snapshots = new SnapshotFiles(config.stateDir().resolve("learner-snapshots").resolve(config.modelName()));
        this.engine = LearningEngines.create(config);
        this.capabilities = LearningEngines.capabilities(config);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.retained = new RetainedExamples(context.getStateStore(StoreNames.RETAINED_EXAMPLES),
                context.getStateStore(StoreNames.ERASURE_WATERMARKS));
        this.journal = context.getStateStore(StoreNames.LEARNER_JOURNAL);
        this.meta = context.getStateStore(StoreNames.LEARNER_META);
        if (capabilities.batchesErasures()) {
            this.pendingErasures = context.getStateStore(StoreNames.PENDING_ERASURES);
            try (KeyValueIterator<String, byte[]> any = pendingErasures.all()) {
                if (any.hasNext()) {
                    pendingSince = 1; // answered at the first tick
                }
            }
        }
        this.evaluator = new ContinualEvaluator(context.getStateStore(StoreNames.EVALUATION_SETS), config.evalPerTask(),
                config.featureMap().inputDim());
        engine.init(context);
        engine.warmUp();
        restore();
        long tick = Math.max(20, Math.min(200, config.publishIdleMs() / 2));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (context.recordMetadata().map(m -> m.topic().equals(LetheTopics.EVAL_EXAMPLES)).orElse(false)) {
            onEvaluationExample(record);
            return;
        }
        LearnerCommand command;
        try {
            command = AvroCodec.LEARNER_COMMAND.decode(record.value());
        } catch (AvroCodec.AvroCodecException e) {
            context.forward(record.withValue(DeadLetters.of(context.recordMetadata().orElse(null), record.key(),
                    record.value(), e.getMessage(), "MalformedAvro", System.currentTimeMillis())), TO_DEAD_LETTERS);
            return;
        }
        lastInputAt = context.currentSystemTimeMs();
        SourcePosition source = command.getSource();
        offsets.merge(source.getTopic() + "-" + source.getPartition(), source.getOffset(), Math::max);
        if (command.getCommand() instanceof TrainingExample example) {
            onExample(example, source);
        } else if (command.getCommand() instanceof ErasureRequest request) {
            onErasure(request, source);
        }
    }

    private void onEvaluationExample(Record<String, byte[]> record) {
        String problem;
        TrainingExample example = null;
        try {
            example = AvroCodec.TRAINING_EXAMPLE.decode(record.value());
            problem = RecordValidator.checkExample(example, null, config);
        } catch (AvroCodec.AvroCodecException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            context.forward(record.withValue(DeadLetters.of(context.recordMetadata().orElse(null), record.key(),
                    record.value(), "evaluation example: " + problem, "InvalidEvaluationExample",
                    System.currentTimeMillis())), TO_DEAD_LETTERS);
            return;
        }
        evaluator.offer(example);
    }

    /**
     * Evaluates the live model on every task's evaluation set, now. Examples still waiting for their
     * batch are not forced in (that would change the batches, and so the model, against a run without
     * evaluation): the report's step counts the examples the evaluated model has learned.
     */
    private void evaluate(boolean afterErasure) {
        if (!afterErasure) {
            examplesSinceEvaluation = 0;
        }
        io.lethe.schemas.EvaluationReport report = evaluator.evaluate(engine::predictEvaluation, config.modelName(), version,
                examplesLearned - pending.size(), newestTask, afterErasure);
        Map<Integer, Double> byTask = new TreeMap<>();
        report.getTaskAccuracies().forEach(t -> byTask.put(t.getTask(), t.getAccuracy()));
        metrics.evaluated(config.modelName(), byTask, report.getMetrics());
        long now = System.currentTimeMillis();
        context.forward(new Record<>(config.modelName(), AvroCodec.EVALUATION_REPORT.encode(report), now), TO_EVALUATIONS);
    }

    private void onExample(TrainingExample example, SourcePosition source) {
        String key = RetainedExamples.key(example);
        if (retained.contains(key)) {
            return; // A re-delivered example id is learned once.
        }
        if (retained.coveredByAnErasure(example)) {
            examplesCoveredByErasures++; // never learned
            return;
        }
        retained.store().put(key, AvroCodec.TRAINING_EXAMPLE.encode(example));
        if (engine.holdsOut(example)) {
            engine.holdOut(example); // stored (so erasures find it), never learned: held-out evaluation data
            return;
        }
        appendJournal(new JournalEvent(true, key, null, source.getTopic(), source.getPartition(), source.getOffset()));
        pending.add(example);
        examplesLearned++;
        examplesSincePublish++;
        examplesSinceEvaluation++;
        newestTask = Math.max(newestTask, example.getTask());
        if (pending.size() >= config.learnBatchSize()) {
            flushPending();
        }
        if (examplesSincePublish >= config.publishEveryExamples()) {
            publish(VersionTrigger.EXAMPLES_LEARNED);
        }
        if (config.evalEveryExamples() > 0 && examplesSinceEvaluation >= config.evalEveryExamples() && evaluator.hasSets()) {
            evaluate(false);
        }
    }

    private void onErasure(ErasureRequest request, SourcePosition source) {
        long started = System.nanoTime();
        List<TrainingExample> removed = removeFromState(request, source);
        List<TrainingExample> learned = removedFromModel;
        if (batchErasures()) {
            // Burst batching: the state is purged now (durably, with this transaction); the network is
            // unlearned once for every request of the window, and each request then gets its receipt.
            pendingRemoved.addAll(learned);
            byte[] encoded = AvroCodec.ERASURE_REQUEST.encode(request);
            pendingErasures.put(request.getRequestId(),
                    ByteBuffer.allocate(8 + encoded.length).putLong(removed.size()).put(encoded).array());
            pendingRequests.put(request.getRequestId(), request);
            if (pendingSince == 0) {
                pendingSince = context.currentSystemTimeMs();
            }
            return;
        }
        if (!learned.isEmpty()) {
            engine.unlearn(learned);
        }
        long unlearned = System.nanoTime();
        if (!removed.isEmpty()) {
            erasuresSincePublish.add(request.getRequestId());
            publish(VersionTrigger.ERASURE);
        }
        LearningEngine.Verification verification = engine.verify(removed.size());
        sendReceipt(request, removed.size(), verification, started, unlearned, Map.of());
        reportUnlearning(verification, removed.size(), Map.of());
        evaluateAfterErasure(learned.size());
        context.commit(); // the receipt (and the version it names) become visible now, not at the next interval
    }

    private boolean batchErasures() {
        return capabilities.batchesErasures() && config.erasureBatchWindowMs() > 0;
    }

    /** Watermarks, retained examples and the journal: everything but the model itself. */
    private List<TrainingExample> removeFromState(ErasureRequest request, SourcePosition source) {
        retained.recordWatermarks(request);
        flushPending();
        List<KeyValue<String, byte[]>> matches = retained.findMatches(request);
        List<TrainingExample> removed = new ArrayList<>(matches.size());
        List<TrainingExample> learned = new ArrayList<>(matches.size());
        for (KeyValue<String, byte[]> match : matches) {
            retained.store().delete(match.key);
            TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(match.value);
            removed.add(example);
            if (!engine.holdsOut(example)) {
                appendJournal(new JournalEvent(false, match.key, match.value, source.getTopic(), source.getPartition(),
                        source.getOffset()));
                learned.add(example);
            }
        }
        engine.purge(removed);
        removedFromModel = learned;
        return removed;
    }

    /** Unlearns everything the window's requests removed, in one go, and answers each request. */
    private void completePendingErasures() {
        if (pendingErasures == null || pendingErasures.approximateNumEntries() == 0 && pendingRequests.isEmpty()) {
            pendingSince = 0;
            return;
        }
        long started = System.nanoTime();
        int total = pendingRemoved.size();
        if (!pendingRemoved.isEmpty()) {
            engine.unlearn(new ArrayList<>(pendingRemoved));
            pendingRemoved.clear();
        }
        long unlearned = System.nanoTime();
        Map<String, Long> counts = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> all = pendingErasures.all()) {
            all.forEachRemaining(kv -> {
                ByteBuffer value = ByteBuffer.wrap(kv.value);
                counts.put(kv.key, value.getLong());
                byte[] encoded = new byte[value.remaining()];
                value.get(encoded);
                // After a restart only the store knows the request; the journal replay already unlearned it.
                pendingRequests.putIfAbsent(kv.key, AvroCodec.ERASURE_REQUEST.decode(encoded));
            });
        }
        if (counts.values().stream().anyMatch(c -> c > 0)) {
            counts.forEach((id, count) -> {
                if (count > 0) {
                    erasuresSincePublish.add(id);
                }
            });
            publish(VersionTrigger.ERASURE);
        }
        LearningEngine.Verification verification = engine.verify(total);
        Map<String, Double> batch = Map.of("requests_in_batch", (double) counts.size());
        for (Map.Entry<String, Long> entry : counts.entrySet()) {
            sendReceipt(pendingRequests.get(entry.getKey()), entry.getValue(), verification, started, unlearned, batch);
            pendingErasures.delete(entry.getKey());
        }
        reportUnlearning(verification, total, batch);
        evaluateAfterErasure(total);
        pendingRemoved.clear();
        pendingRequests.clear();
        pendingSince = 0;
        context.commit();
    }

    /** What an erasure that changed the model did to accuracy, on the same evaluation sets. */
    private void evaluateAfterErasure(long unlearnedExamples) {
        if (unlearnedExamples > 0 && config.evalEveryExamples() > 0 && evaluator.hasSets()) {
            evaluate(true);
        }
    }

    /** Approximate unlearning's measurements also go to the metrics topic, for monitoring. */
    private void reportUnlearning(LearningEngine.Verification verification, long removed, Map<String, Double> extra) {
        if (removed == 0 || verification.metrics().isEmpty()) {
            return;
        }
        Map<String, Double> measured = new TreeMap<>();
        verification.metrics().forEach((k, v) -> measured.put("unlearning." + k, v));
        extra.forEach((k, v) -> measured.put("unlearning." + k, v));
        metrics.unlearned(config.modelName(), verification.metrics());
        Double buffer = verification.metrics().get("retained_accuracy_replay_buffer");
        long now = System.currentTimeMillis();
        io.lethe.schemas.EvaluationReport report = io.lethe.schemas.EvaluationReport.newBuilder()
                .setModelName(config.modelName())
                .setModelVersion(version)
                .setStep(examplesLearned)
                .setEvaluatedAt(Instant.ofEpochMilli(now))
                .setTaskAccuracies(List.of())
                .setAverageAccuracy(buffer == null ? Double.NaN : buffer)
                .setMetrics(measured)
                .build();
        context.forward(new Record<>(config.modelName(), AvroCodec.EVALUATION_REPORT.encode(report), now), TO_EVALUATIONS);
    }

    private void sendReceipt(ErasureRequest request, long removed, LearningEngine.Verification verification,
                             long started, long unlearned, Map<String, Double> extraMetrics) {
        ReceiptStatus status = removed == 0 ? ReceiptStatus.NOTHING_TO_ERASE : ReceiptStatus.COMPLETED;
        long processedMs = (System.nanoTime() - started) / 1_000_000;
        long unlearnMs = (unlearned - started) / 1_000_000;
        long now = System.currentTimeMillis();
        Map<String, Double> metrics = new TreeMap<>();
        if (removed > 0) {
            metrics.putAll(verification.metrics());
            metrics.putAll(extraMetrics);
        }
        ErasureReceipt receipt = ErasureReceipt.newBuilder()
                .setRequestId(request.getRequestId())
                .setStatus(status)
                .setModelName(config.modelName())
                .setModelVersion(version == 0 ? null : version)
                .setExamplesRemoved(removed)
                .setRequestedAt(request.getRequestedAt())
                .setCompletedAt(Instant.ofEpochMilli(now))
                .setLatencyMs(now - request.getRequestedAt().toEpochMilli())
                .setVerificationMethod(verification.method())
                .setVerificationResidual(verification.residual())
                .setMetrics(metrics)
                .setMessage((removed == 0 ? "no retained example matched " + request.getScope()
                        : verification.description())
                        + "; learner time " + processedMs + " ms (unlearning " + unlearnMs + " ms, publication "
                        + (processedMs - unlearnMs) + " ms)")
                .build();
        context.forward(new Record<>(request.getRequestId(), AvroCodec.ERASURE_RECEIPT.encode(receipt), now), TO_RECEIPTS);
        this.metrics.receipt(config.modelName(), status.name());
    }

    private void appendJournal(JournalEvent event) {
        journal.put(++journalSeq, event.encode());
    }

    private void flushPending() {
        learnIfFull(pending, 1, true);
    }

    private void onTick(long now) {
        if (pendingSince > 0 && now - pendingSince >= config.erasureBatchWindowMs()) {
            completePendingErasures();
        }
        if (now - lastInputAt < config.publishIdleMs()) {
            return;
        }
        if (examplesSincePublish > 0 || !pending.isEmpty()) {
            publish(VersionTrigger.FLUSH);
        }
        engine.onIdle();
    }

    private void publish(VersionTrigger trigger) {
        flushPending();
        Long parent = version == 0 ? null : version;
        Provenance provenance = new Provenance(config.modelName(), version + 1, parent, trigger.name(),
                System.currentTimeMillis(), offsets, erasuresSincePublish, examplesLearned,
                engine.learner().retainedExamples(), engine.kind(), engine.describe(), engine.seeds(), LIBRARY_VERSIONS);
        StoredCheckpoint stored;
        try {
            stored = checkpoints.write(provenance, engine.predictor());
            checkpoints.writeManifest(new CheckpointManifest(provenance, stored.sha256(), stored.sizeBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint or manifest to " + checkpoints.root(), e);
        }
        version = provenance.version();
        ModelVersion event = VersionLineage.event(provenance, stored);
        long now = provenance.createdAtMillis();
        meta.put(META_VERSION, version);
        metrics.versionPublished(config.modelName(), version, examplesLearned, engine.learner().retainedExamples());
        meta.put(META_EXAMPLES_LEARNED, examplesLearned);
        meta.put(META_EXAMPLES_LEARNED_SEQ, journalSeq);
        context.forward(new Record<>(config.modelName(), AvroCodec.MODEL_VERSION.encode(event), now), TO_MODEL_VERSIONS);
        erasuresSincePublish.clear();
        examplesSincePublish = 0;
        // The network's state is small (2 MB for the default MLP): snapshot after every erasure, so the
        // journal (which holds the erased examples' bytes for replay) is cut back at once.
        maybeSnapshot(trigger == VersionTrigger.ERASURE && capabilities.snapshotsAfterErasure());
    }

    private void maybeSnapshot(boolean force) {
        if (!pendingRemoved.isEmpty()) {
            return; // the network still holds examples whose unlearning is pending: the journal must keep them
        }
        if (!force && journalSeq - snapshotSeq < config.snapshotEveryExamples()) {
            return;
        }
        try {
            snapshots.write(journalSeq, engine.learner(), offsets);
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
        snapshots.deleteOlderThan(previous);
    }

    /** Rebuilds the learner so that it covers exactly the committed input (see the class comment). */
    private void restore() {
        long started = System.nanoTime();
        Long savedSnapshot = meta.get(META_SNAPSHOT_SEQ);
        snapshotSeq = savedSnapshot == null ? 0 : savedSnapshot;
        Long savedVersion = meta.get(META_VERSION);
        version = savedVersion == null ? 0 : savedVersion;
        Long savedLearned = meta.get(META_EXAMPLES_LEARNED);
        examplesLearned = savedLearned == null ? 0 : savedLearned;
        journalSeq = snapshotSeq;
        try (KeyValueIterator<Long, byte[]> last = journal.reverseAll()) {
            if (last.hasNext()) {
                journalSeq = Math.max(journalSeq, last.next().key);
            }
        }
        examplesLearned += learnEventsAfter(meta.get(META_EXAMPLES_LEARNED_SEQ));
        String how;
        if (snapshotSeq > 0 && snapshots.exists(snapshotSeq)) {
            try {
                snapshots.read(snapshotSeq, engine.learner(), offsets);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read learner snapshot " + snapshotSeq, e);
            }
            int replayed = replayJournal();
            how = "snapshot " + snapshotSeq + " + " + replayed + " journal events";
        } else if (snapshotSeq > 0) {
            int rebuilt = rebuildFromRetained();
            how = "no local snapshot " + snapshotSeq + ": rebuilt from " + rebuilt + " retained examples";
        } else {
            int replayed = replayJournal();
            how = replayed + " journal events";
        }
        if (engine.learner().retainedExamples() > 0 || journalSeq > 0) {
            LOG.info("learner for model {} restored from {} in {} ms ({} examples retained)", config.modelName(), how,
                    (System.nanoTime() - started) / 1_000_000, engine.learner().retainedExamples());
        }
    }

    /**
     * The count of learned examples is recorded with each version; the examples learned since then
     * are the journal's learn events after that point (the journal is only cut at a version).
     */
    private long learnEventsAfter(Long recordedAt) {
        long from = recordedAt == null ? 0 : recordedAt;
        long count = 0;
        try (KeyValueIterator<Long, byte[]> after = journal.range(from + 1, Long.MAX_VALUE)) {
            while (after.hasNext()) {
                count += JournalEvent.decode(after.next().value).learn() ? 1 : 0;
            }
        }
        return count;
    }

    private int replayJournal() {
        int events = 0;
        Set<String> skipped = new HashSet<>();
        List<TrainingExample> learnBatch = new ArrayList<>();
        List<TrainingExample> unlearnBatch = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> all = journal.all()) {
            while (all.hasNext()) {
                JournalEvent event = JournalEvent.decode(all.next().value);
                events++;
                offsets.merge(event.topic() + "-" + event.partition(), event.offset(), Math::max);
                if (event.learn()) {
                    byte[] bytes = retained.store().get(event.exampleKey());
                    if (bytes == null) {
                        skipped.add(event.exampleKey()); // Erased later in the journal: learn and unlearn cancel.
                        continue;
                    }
                    unlearnAll(unlearnBatch);
                    learnBatch.add(AvroCodec.TRAINING_EXAMPLE.decode(bytes));
                    learnIfFull(learnBatch, UNLEARN_CHUNK, false);
                } else if (!skipped.remove(event.exampleKey())) {
                    learnIfFull(learnBatch, 1, false); // the example to unlearn may be in this batch
                    // Consecutive unlearn events (one erasure, or one batch of them) are undone together.
                    unlearnBatch.add(AvroCodec.TRAINING_EXAMPLE.decode(event.exampleBytes()));
                }
            }
        }
        learnIfFull(learnBatch, 1, false);
        unlearnAll(unlearnBatch);
        return events;
    }

    private void unlearnAll(List<TrainingExample> batch) {
        if (!batch.isEmpty()) {
            engine.unlearn(batch);
            batch.clear();
        }
    }

    private int rebuildFromRetained() {
        int count = 0;
        List<TrainingExample> batch = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = retained.store().all()) {
            while (all.hasNext()) {
                TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(all.next().value);
                if (engine.holdsOut(example)) {
                    continue;
                }
                batch.add(example);
                count++;
                learnIfFull(batch, UNLEARN_CHUNK, false);
            }
        }
        learnIfFull(batch, 1, false);
        return count;
    }

    /** Learns and clears the batch once it holds at least {@code size} examples. */
    private void learnIfFull(List<TrainingExample> batch, int size, boolean fresh) {
        if (!batch.isEmpty() && batch.size() >= size) {
            engine.learn(batch, fresh);
            batch.clear();
        }
    }

    @Override
    public void close() {
        pending.clear();
    }
}
