package io.lethe.streams.topology;

import io.lethe.modelstore.CheckpointStore;
import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.LearnerCommand;
import io.lethe.schemas.LetheTopics;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.metrics.LetheMetrics;
import io.lethe.streams.privacy.KeyEncryptionKey;
import io.lethe.streams.privacy.SubjectKeys;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The model's single writer: learns examples in batches, unlearns erased ones (exactly with the
 * analytic engine, approximately with the gradient engine: see {@link LearningEngine}), publishes
 * model versions (every N examples, after every erasure, and when input pauses) and answers every
 * erasure request with one receipt. It wires the jobs and dispatches to them: learning
 * ({@link ExampleLearning}), erasures ({@link ErasureHandling}, {@link ErasureWindow},
 * {@link RetainedExamples}), durability ({@link DurableLearner}), versions ({@link VersionPublisher}),
 * reports ({@link LearnerEvaluations}) and receipts ({@link Receipts}).
 */
public final class ModelLearnerProcessor implements Processor<String, byte[], String, byte[]> {

    public static final String TO_MODEL_VERSIONS = "learner-to-model-versions";
    public static final String TO_RECEIPTS = "learner-to-receipts";
    public static final String TO_DEAD_LETTERS = "learner-to-dead-letters";
    public static final String TO_EVALUATIONS = "learner-to-evaluations";

    private final LetheConfig config;
    private final LetheMetrics metrics;
    private final LearningEngine engine;
    private final EngineCapabilities capabilities;
    private final KeyEncryptionKey kek;
    private SubjectKeys keys;
    private ProcessorContext<String, byte[]> context;
    private LearnerOutputs outputs;
    private LearnerEvaluations evaluations;
    private ExampleLearning learning;
    private ErasureHandling erasures;
    private long lastInputAt;
    private long lastKeysRoll;

    public ModelLearnerProcessor(LetheConfig config, LetheMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.engine = LearningEngines.create(config);
        this.capabilities = LearningEngines.capabilities(config);
        this.kek = config.privacy().loadKek();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        outputs = new LearnerOutputs(context, config.modelName());
        keys = SubjectKeys.open(kek, context.getStateStore(StoreNames.SUBJECT_KEYS)); // a wrong key stops here
        RetainedExamples retained = new RetainedExamples(context.getStateStore(StoreNames.RETAINED_EXAMPLES),
                context.getStateStore(StoreNames.ERASURE_WATERMARKS), keys);
        DurableLearner durable = new DurableLearner(engine, keys, context.getStateStore(StoreNames.LEARNER_JOURNAL),
                context.getStateStore(StoreNames.LEARNER_META), new SnapshotFiles(config.stateDir()
                .resolve("learner-snapshots").resolve(config.modelName())), config.snapshotEveryExamples());
        ErasureWindow window = capabilities.batchesErasures()
                ? new ErasureWindow(context.getStateStore(StoreNames.PENDING_ERASURES), config.erasureBatchWindowMs()) : null;
        evaluations = new LearnerEvaluations(config, new ContinualEvaluator(context.getStateStore(StoreNames.EVALUATION_SETS),
                config.evalPerTask(), config.featureMap().inputDim()), metrics);
        VersionPublisher versions = new VersionPublisher(config.modelName(), new CheckpointStore(config.modelStoreDir()));
        engine.init(context, keys);
        engine.warmUp();
        DurableLearner.Restored restored = durable.restore(retained, versions.offsets(), config.modelName());
        versions.restoredVersion(restored.version());
        engine.restored();
        learning = new ExampleLearning(config, engine, retained, durable, versions, evaluations, outputs, metrics,
                capabilities.snapshotsAfterErasure(), restored.examplesLearned());
        learning.watch(window);
        erasures = new ErasureHandling(config, engine, retained, durable, window, learning, versions, evaluations, outputs,
                metrics, context::currentSystemTimeMs, context::commit);
        long tick = Math.max(20, Math.min(200, config.publishIdleMs() / 2));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (context.recordMetadata().map(m -> m.topic().equals(LetheTopics.EVAL_EXAMPLES)).orElse(false)) {
            String problem = evaluations.offer(record.value());
            if (problem != null) {
                outputs.deadLetter(record, "evaluation example: " + problem, "InvalidEvaluationExample");
            }
            return;
        }
        if (LetheTopics.isSegmentRoll(record.key(), record.value())) {
            return; // the purger's marker, not a command
        }
        LearnerCommand command;
        try {
            command = AvroCodec.LEARNER_COMMAND.decode(record.value());
        } catch (AvroCodec.AvroCodecException e) {
            outputs.deadLetter(record, e.getMessage(), "MalformedAvro");
            return;
        }
        long handlingStarted = System.nanoTime();
        handle(command);
        // When the handling ended, on the stream's clock: Kafka Streams fixes a round's system time when the
        // round starts and punctuates before it commits the round. Taken at the start, a command that ran past
        // the idle period (a class erasure: a second) made the stream look idle at once, and the idle work (a
        // re-inversion of R: half a second at d = 1,536) ran while its receipt waited, unseen, for the commit.
        lastInputAt = context.currentSystemTimeMs() + (System.nanoTime() - handlingStarted) / 1_000_000;
    }

    private void handle(LearnerCommand command) {
        learning.consumed(command.getSource());
        // From here on the learner knows subjects only by their reference (a keyed hash of the id).
        if (command.getCommand() instanceof TrainingExample example) {
            example.setSubjectId(keys.ref(example.getSubjectId()));
            learning.onExample(example, command.getSource());
        } else if (command.getCommand() instanceof ErasureRequest request) {
            if (request.getSubjectId() != null && !request.getSubjectId().isBlank()) {
                request.setSubjectId(keys.ref(request.getSubjectId()));
            }
            erasures.onErasure(request, command.getSource(), command.getReceivedAt());
        }
    }

    private void onTick(long now) {
        erasures.onTick(now);
        if (now - lastKeysRoll >= config.topicSegmentMs()) {
            // Kafka never compacts a partition's active segment: a record every segment period lets the keys
            // changelog roll, so a destroyed key's wrapped record is compacted away even when no new subject comes.
            keys.touch();
            lastKeysRoll = now;
        }
        if (now - lastInputAt >= config.publishIdleMs()) {
            if (learning.publishIfBehind()) {
                // The version becomes visible when this round commits, after the punctuation returns: the idle
                // work (a re-inversion of R, hundreds of milliseconds at d = 1,536) waits for the next tick.
                context.commit();
                return;
            }
            engine.onIdle();
            learning.snapshotIfDueAtIdle();
        }
    }

    @Override
    public void close() {
        // Examples waiting for their batch were journalled; a restart learns them again.
        engine.close();
    }
}
