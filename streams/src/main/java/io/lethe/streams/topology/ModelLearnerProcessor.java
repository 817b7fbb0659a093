package io.lethe.streams.topology;

import io.lethe.learning.analytic.AnalyticRidgeLearner;
import io.lethe.learning.analytic.RidgeModel;
import io.lethe.modelstore.CheckpointManifest;
import io.lethe.modelstore.CheckpointStore;
import io.lethe.modelstore.StoredCheckpoint;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.LearnerCommand;
import io.lethe.schemas.Lineage;
import io.lethe.schemas.ModelVersion;
import io.lethe.schemas.ReceiptStatus;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.TrainingExample;
import io.lethe.schemas.VersionTrigger;
import io.lethe.streams.LetheConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * The model's single writer: learns examples in batches, unlearns erased ones exactly, publishes
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

    static final String META_SNAPSHOT_SEQ = "snapshot.seq";
    static final String META_VERSION = "model.version";
    static final String META_EXAMPLES_LEARNED = "examples.learned";
    private static final char KEY_SEPARATOR = '\u0000';
    private static final int UNLEARN_CHUNK = 512;
    private static final Logger LOG = LoggerFactory.getLogger(ModelLearnerProcessor.class);

    private final LetheConfig config;
    private final CheckpointStore checkpoints;
    private final SnapshotFiles snapshots;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> retained;
    private KeyValueStore<Long, byte[]> journal;
    private KeyValueStore<String, Long> meta;
    private KeyValueStore<String, Long> watermarks;
    /** False until any erasure is recorded: spares five store reads per example on the common path. */
    private boolean anyWatermark;
    private long examplesCoveredByErasures;
    private AnalyticRidgeLearner learner;

    private final List<TrainingExample> pending = new ArrayList<>();
    private final Map<String, Long> offsets = new TreeMap<>();
    private final List<String> erasuresSincePublish = new ArrayList<>();
    private long journalSeq;
    private long snapshotSeq;
    private long version;
    private long examplesLearned;
    private long examplesSincePublish;
    private long lastInputAt;

    public ModelLearnerProcessor(LetheConfig config) {
        this.config = config;
        this.checkpoints = new CheckpointStore(config.modelStoreDir());
        this.snapshots = new SnapshotFiles(config.stateDir().resolve("learner-snapshots").resolve(config.modelName()));
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.retained = context.getStateStore(StoreNames.RETAINED_EXAMPLES);
        this.journal = context.getStateStore(StoreNames.LEARNER_JOURNAL);
        this.meta = context.getStateStore(StoreNames.LEARNER_META);
        this.watermarks = context.getStateStore(StoreNames.ERASURE_WATERMARKS);
        try (KeyValueIterator<String, Long> any = watermarks.all()) {
            this.anyWatermark = any.hasNext();
        }
        this.learner = new AnalyticRidgeLearner(config.featureMap(), config.ridgeGamma());
        warmUp();
        restore();
        long tick = Math.max(20, Math.min(200, config.publishIdleMs() / 2));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        LearnerCommand command;
        try {
            command = AvroCodec.LEARNER_COMMAND.decode(record.value());
        } catch (AvroCodec.AvroCodecException e) {
            context.forward(record.withValue(DeadLetters.of(context.recordMetadata().orElse(null), record.key(),
                    record.value(), e.getMessage(), "MalformedAvro", System.currentTimeMillis())), TO_DEAD_LETTERS);
            return;
        }
        lastInputAt = System.currentTimeMillis();
        SourcePosition source = command.getSource();
        offsets.merge(source.getTopic() + "-" + source.getPartition(), source.getOffset(), Math::max);
        if (command.getCommand() instanceof TrainingExample example) {
            onExample(example, source);
        } else if (command.getCommand() instanceof ErasureRequest request) {
            onErasure(request, source);
        }
    }

    private void onExample(TrainingExample example, SourcePosition source) {
        String key = example.getSubjectId() + KEY_SEPARATOR + example.getExampleId();
        if (retained.get(key) != null) {
            return; // A re-delivered example id is learned once.
        }
        if (coveredByAnErasure(example)) {
            // Examples and erasures travel on different topics, so an example produced before a request
            // can reach the learner after it; the request covers it all the same: it is never learned.
            examplesCoveredByErasures++;
            return;
        }
        retained.put(key, AvroCodec.TRAINING_EXAMPLE.encode(example));
        appendJournal(new JournalEvent(true, key, null, source.getTopic(), source.getPartition(), source.getOffset()));
        pending.add(example);
        examplesLearned++;
        examplesSincePublish++;
        if (pending.size() >= config.learnBatchSize()) {
            flushPending();
        }
        if (examplesSincePublish >= config.publishEveryExamples()) {
            publish(VersionTrigger.EXAMPLES_LEARNED);
        }
    }

    private boolean coveredByAnErasure(TrainingExample example) {
        if (!anyWatermark) {
            return false;
        }
        long eventTime = example.getEventTime().toEpochMilli();
        for (String key : new String[] {"subject:" + example.getSubjectId(), "class:" + example.getLabel(),
                "task:" + example.getTask(), "example:" + example.getSubjectId() + KEY_SEPARATOR + example.getExampleId(),
                "example:" + KEY_SEPARATOR + example.getExampleId()}) {
            Long requestedAt = watermarks.get(key);
            if (requestedAt != null && eventTime <= requestedAt) {
                return true;
            }
        }
        return false;
    }

    private void recordWatermarks(ErasureRequest request) {
        long at = request.getRequestedAt().toEpochMilli();
        List<String> keys = new ArrayList<>();
        switch (request.getScope()) {
            case SUBJECT -> keys.add("subject:" + request.getSubjectId());
            case CLASS -> keys.add("class:" + request.getClassLabel());
            case TASK -> keys.add("task:" + request.getTask());
            case EXAMPLES -> {
                String subject = request.getSubjectId() == null ? "" : request.getSubjectId();
                request.getExampleIds().forEach(id -> keys.add("example:" + subject + KEY_SEPARATOR + id));
            }
            default -> {
                // Rejected by the validator.
            }
        }
        anyWatermark |= !keys.isEmpty();
        for (String key : keys) {
            Long previous = watermarks.get(key);
            if (previous == null || previous < at) {
                watermarks.put(key, at);
            }
        }
    }

    private void onErasure(ErasureRequest request, SourcePosition source) {
        long started = System.nanoTime();
        recordWatermarks(request);
        flushPending();
        List<KeyValue<String, byte[]>> matches = findMatches(request);
        List<TrainingExample> removed = new ArrayList<>(matches.size());
        for (KeyValue<String, byte[]> match : matches) {
            retained.delete(match.key);
            appendJournal(new JournalEvent(false, match.key, match.value, source.getTopic(), source.getPartition(),
                    source.getOffset()));
            removed.add(AvroCodec.TRAINING_EXAMPLE.decode(match.value));
        }
        if (!removed.isEmpty()) {
            // One batch: the learner picks a rank-n update or a re-inversion, whichever is cheaper.
            learner.unlearn(ExampleBatches.of(removed, config.featureMap().inputDim()));
        }
        ReceiptStatus status = removed.isEmpty() ? ReceiptStatus.NOTHING_TO_ERASE : ReceiptStatus.COMPLETED;
        long unlearned = System.nanoTime();
        if (!removed.isEmpty()) {
            erasuresSincePublish.add(request.getRequestId());
            publish(VersionTrigger.ERASURE);
        }
        double residual = learner.normalEquationResidual();
        long processedMs = (System.nanoTime() - started) / 1_000_000;
        long unlearnMs = (unlearned - started) / 1_000_000;
        long now = System.currentTimeMillis();
        ErasureReceipt receipt = ErasureReceipt.newBuilder()
                .setRequestId(request.getRequestId())
                .setStatus(status)
                .setModelName(config.modelName())
                .setModelVersion(version == 0 ? null : version)
                .setExamplesRemoved(removed.size())
                .setRequestedAt(request.getRequestedAt())
                .setCompletedAt(Instant.ofEpochMilli(now))
                .setLatencyMs(now - request.getRequestedAt().toEpochMilli())
                .setVerificationMethod("ridge-normal-equation-residual")
                .setVerificationResidual(residual)
                .setMessage((removed.isEmpty() ? "no retained example matched " + request.getScope()
                        : "removed " + removed.size() + " examples exactly (analytic unlearning)")
                        + "; learner time " + processedMs + " ms (unlearning " + unlearnMs + " ms, publication "
                        + (processedMs - unlearnMs) + " ms)")
                .build();
        context.forward(new Record<>(request.getRequestId(), AvroCodec.ERASURE_RECEIPT.encode(receipt), now), TO_RECEIPTS);
        context.commit(); // the receipt (and the version it names) become visible now, not at the next interval
    }

    private List<KeyValue<String, byte[]>> findMatches(ErasureRequest request) {
        List<KeyValue<String, byte[]>> matches = new ArrayList<>();
        Set<String> ids = new HashSet<>(request.getExampleIds());
        boolean bySubject = request.getSubjectId() != null && !request.getSubjectId().isBlank();
        switch (request.getScope()) {
            case SUBJECT -> collect(subjectRange(request.getSubjectId()), kv -> true, matches);
            case EXAMPLES -> collect(bySubject ? subjectRange(request.getSubjectId()) : retained.all(),
                    kv -> ids.contains(kv.key.substring(kv.key.indexOf(KEY_SEPARATOR) + 1)), matches);
            case CLASS -> collect(retained.all(),
                    kv -> AvroCodec.TRAINING_EXAMPLE.decode(kv.value).getLabel() == request.getClassLabel(), matches);
            case TASK -> collect(retained.all(),
                    kv -> AvroCodec.TRAINING_EXAMPLE.decode(kv.value).getTask() == request.getTask(), matches);
            default -> {
                // Rejected by the validator; nothing reaches here.
            }
        }
        return matches;
    }

    private KeyValueIterator<String, byte[]> subjectRange(String subject) {
        return retained.prefixScan(subject + KEY_SEPARATOR, new StringSerializer());
    }

    private static void collect(KeyValueIterator<String, byte[]> iterator,
                                java.util.function.Predicate<KeyValue<String, byte[]>> keep,
                                List<KeyValue<String, byte[]>> into) {
        try (iterator) {
            while (iterator.hasNext()) {
                KeyValue<String, byte[]> kv = iterator.next();
                if (keep.test(kv)) {
                    into.add(kv);
                }
            }
        }
    }

    private void appendJournal(JournalEvent event) {
        journal.put(++journalSeq, event.encode());
    }

    private void flushPending() {
        learnIfFull(pending, 1);
    }

    private void onTick(long now) {
        if (now - lastInputAt < config.publishIdleMs()) {
            return;
        }
        if (examplesSincePublish > 0 || !pending.isEmpty()) {
            publish(VersionTrigger.FLUSH);
        }
        if (learner.inverseBehind()) {
            // Idle: bring R up to date now, so the next erasure pays only for its own rank-n update.
            learner.refresh();
        }
        learner.tidy();
    }

    private void publish(VersionTrigger trigger) {
        flushPending();
        RidgeModel model = learner.model();
        StoredCheckpoint stored;
        try {
            stored = checkpoints.writeCheckpoint(model);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + checkpoints.root(), e);
        }
        Long parent = version == 0 ? null : version;
        version++;
        long now = System.currentTimeMillis();
        List<SourcePosition> positions = new ArrayList<>();
        offsets.forEach((topicPartition, offset) -> {
            int dash = topicPartition.lastIndexOf('-');
            positions.add(new SourcePosition(topicPartition.substring(0, dash),
                    Integer.parseInt(topicPartition.substring(dash + 1)), offset));
        });
        Map<String, String> learnerConfig = config.describe();
        ModelVersion event = ModelVersion.newBuilder()
                .setModelName(config.modelName())
                .setVersion(version)
                .setParentVersion(parent)
                .setCheckpointUri(stored.uri().toString())
                .setSha256(stored.sha256())
                .setSizeBytes(stored.sizeBytes())
                .setTrigger(trigger)
                .setCreatedAt(Instant.ofEpochMilli(now))
                .setLineage(Lineage.newBuilder()
                        .setInputOffsets(positions)
                        .setErasureRequestIds(new ArrayList<>(erasuresSincePublish))
                        .setExamplesLearned(examplesLearned)
                        .setExamplesRetained(learner.retainedExamples())
                        .setLearnerConfig(learnerConfig)
                        .setSeed(config.featureMap().seed())
                        .build())
                .build();
        try {
            checkpoints.writeManifest(new CheckpointManifest(config.modelName(), version, parent, stored.sha256(),
                    stored.sizeBytes(), trigger.name(), now, Map.copyOf(offsets), List.copyOf(erasuresSincePublish),
                    examplesLearned, learner.retainedExamples(), learnerConfig, config.featureMap().seed()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write manifest to " + checkpoints.root(), e);
        }
        meta.put(META_VERSION, version);
        meta.put(META_EXAMPLES_LEARNED, examplesLearned);
        context.forward(new Record<>(config.modelName(), AvroCodec.MODEL_VERSION.encode(event), now), TO_MODEL_VERSIONS);
        erasuresSincePublish.clear();
        examplesSincePublish = 0;
        maybeSnapshot();
    }

    private void maybeSnapshot() {
        if (journalSeq - snapshotSeq < config.snapshotEveryExamples()) {
            return;
        }
        try {
            snapshots.write(journalSeq, learner, offsets);
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

    /**
     * Runs every numeric path once (features, learning, both refreshes, unlearning) on a scratch
     * learner with synthetic inputs, so the first real erasure does not pay for JIT compilation and
     * native buffer set-up.
     */
    private void warmUp() {
        AnalyticRidgeLearner scratch = new AnalyticRidgeLearner(config.featureMap(), config.ridgeGamma());
        int n = 96;
        int dim = config.featureMap().inputDim();
        float[] values = new float[n * dim];
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        org.nd4j.linalg.api.ndarray.INDArray inputs = org.nd4j.linalg.factory.Nd4j.create(values, new long[] {n, dim},
                org.nd4j.linalg.api.buffer.DataType.FLOAT);
        scratch.learn(new io.lethe.learning.LabeledBatch(inputs, labels));
        scratch.refreshHead();
        scratch.refresh();
        io.lethe.learning.LabeledBatch some = new io.lethe.learning.LabeledBatch(
                inputs.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 60), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(),
                java.util.Arrays.copyOf(labels, 60));
        scratch.unlearn(some);
        scratch.normalEquationResidual();
        scratch.model();
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
        String how;
        if (snapshotSeq > 0 && snapshots.exists(snapshotSeq)) {
            try {
                snapshots.read(snapshotSeq, learner, offsets);
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
        if (learner.retainedExamples() > 0 || journalSeq > 0) {
            LOG.info("learner for model {} restored from {} in {} ms ({} examples retained)", config.modelName(), how,
                    (System.nanoTime() - started) / 1_000_000, learner.retainedExamples());
        }
    }

    private int replayJournal() {
        int events = 0;
        Set<String> skipped = new HashSet<>();
        List<TrainingExample> learnBatch = new ArrayList<>();
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
                    learnBatch.add(AvroCodec.TRAINING_EXAMPLE.decode(bytes));
                    learnIfFull(learnBatch, UNLEARN_CHUNK);
                } else if (!skipped.remove(event.exampleKey())) {
                    learnIfFull(learnBatch, 1); // the example to unlearn may be in this batch
                    learner.unlearn(ExampleBatches.of(List.of(AvroCodec.TRAINING_EXAMPLE.decode(event.exampleBytes())),
                            config.featureMap().inputDim()));
                }
            }
        }
        learnIfFull(learnBatch, 1);
        return events;
    }

    private int rebuildFromRetained() {
        int count = 0;
        List<TrainingExample> batch = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = retained.all()) {
            while (all.hasNext()) {
                batch.add(AvroCodec.TRAINING_EXAMPLE.decode(all.next().value));
                count++;
                learnIfFull(batch, UNLEARN_CHUNK);
            }
        }
        learnIfFull(batch, 1);
        return count;
    }

    /** Learns and clears the batch once it holds at least {@code size} examples. */
    private void learnIfFull(List<TrainingExample> batch, int size) {
        if (!batch.isEmpty() && batch.size() >= size) {
            learner.learn(ExampleBatches.of(batch, config.featureMap().inputDim()));
            batch.clear();
        }
    }

    @Override
    public void close() {
        pending.clear();
    }
}
