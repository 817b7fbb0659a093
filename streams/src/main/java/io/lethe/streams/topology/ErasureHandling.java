package io.lethe.streams.topology;

import io.lethe.schemas.ErasureReceipt;
import io.lethe.schemas.ErasureRequest;
import io.lethe.schemas.SourcePosition;
import io.lethe.schemas.TrainingExample;
import io.lethe.schemas.VersionTrigger;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.metrics.LetheMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The erasure half of the model's single writer: takes the request's examples out of the state at
 * once (watermarks, retained examples, journal), unlearns them (at once, or with the window's other
 * requests), publishes the version without them and answers each request with exactly one receipt,
 * committed with it.
 */
final class ErasureHandling {

    /** What an erasure took out of the state: every matching example, and those the model had learned. */
    private record Removal(List<TrainingExample> removed, List<TrainingExample> learned) {
    }

    private final LetheConfig config;
    private final LearningEngine engine;
    private final RetainedExamples retained;
    private final DurableLearner durable;
    private final ErasureWindow window;
    private final ExampleLearning learning;
    private final VersionPublisher versions;
    private final LearnerEvaluations evaluations;
    private final LearnerOutputs outputs;
    private final LetheMetrics metrics;
    private final LongSupplier clock;
    private final Runnable commit;
    private final ErasureAttestation attestation;

    ErasureHandling(LetheConfig config, LearningEngine engine, RetainedExamples retained, DurableLearner durable,
                    ErasureWindow window, ExampleLearning learning, VersionPublisher versions, LearnerEvaluations evaluations,
                    LearnerOutputs outputs, LetheMetrics metrics, LongSupplier clock, Runnable commit) {
        this.config = config;
        this.engine = engine;
        this.retained = retained;
        this.durable = durable;
        this.window = window;
        this.learning = learning;
        this.versions = versions;
        this.evaluations = evaluations;
        this.outputs = outputs;
        this.metrics = metrics;
        this.clock = clock;
        this.commit = commit;
        this.attestation = new ErasureAttestation(config, retained, durable,
                LearningEngines.capabilities(config).snapshotsAfterErasure());
    }

    /**
     * @param validatedAt when the validator read the request: the first of its two hops ends there
     */
    void onErasure(ErasureRequest request, SourcePosition source, java.time.Instant validatedAt) {
        long started = System.nanoTime();
        // From the producer's clock to the learner picking the request up: the two hops before it.
        double arrivalMs = System.currentTimeMillis() - request.getRequestedAt().toEpochMilli();
        double validationMs = validatedAt.toEpochMilli() - request.getRequestedAt().toEpochMilli();
        long journalMark = durable.journalPosition();
        Removal removal = removeFromState(request, source);
        long removedFromState = System.nanoTime();
        if (window != null && config.erasureBatchWindowMs() > 0) {
            window.add(request, removal.removed().size(), removal.learned(), clock.getAsLong());
            return;
        }
        if (!removal.learned().isEmpty()) {
            engine.unlearn(removal.learned());
        }
        long unlearned = System.nanoTime();
        if (!removal.removed().isEmpty()) {
            versions.erasureApplied(request.getRequestId());
            learning.publish(VersionTrigger.ERASURE);
        }
        long published = System.nanoTime();
        answer(Map.of(request.getRequestId(), (long) removal.removed().size()), Map.of(request.getRequestId(), request),
                removal.removed().size(), removal.learned().size(), started, unlearned,
                Map.of("arrival_ms", arrivalMs, "validation_ms", validationMs,
                        "state_removal_ms", (removedFromState - started) / 1e6,
                        "model_unlearning_ms", (unlearned - removedFromState) / 1e6,
                        "publication_ms", (published - unlearned) / 1e6), keys(removal.removed()), journalMark);
    }

    /** Closes the erasure window when it is due (requests left from before a restart: at the first tick). */
    void onTick(long now) {
        if (window != null && window.due(now)) {
            closeWindow();
        }
    }

    /** Watermarks, retained examples and the journal: everything but the model itself. */
    private Removal removeFromState(ErasureRequest request, SourcePosition source) {
        learning.flushPending(); // the examples to unlearn may still wait for their batch
        List<TrainingExample> removed = new ArrayList<>();
        List<TrainingExample> learned = new ArrayList<>();
        for (RetainedExamples.Erased match : retained.erase(request)) {
            TrainingExample example = match.example();
            removed.add(example);
            if (!engine.holdsOut(example)) {
                durable.unlearned(match.key(), match.bytes(), source);
                learned.add(example);
            }
        }
        engine.purge(removed);
        return new Removal(removed, learned);
    }

    private static List<String> keys(List<TrainingExample> examples) {
        return examples.stream().map(RetainedExamples::key).toList();
    }

    /** Unlearns everything the window's requests removed, in one go, and answers each request. */
    private void closeWindow() {
        long started = System.nanoTime();
        ErasureWindow.Closed closed = window.close();
        if (closed.requests().isEmpty()) {
            window.answered(closed);
            return;
        }
        if (!closed.toUnlearn().isEmpty()) {
            // Examples that arrived in the window are in the retained store: an exact retraining learns
            // them, so they must not wait in the pending batch to be learned a second time after it.
            learning.flushPending();
            engine.unlearn(closed.toUnlearn());
        }
        long unlearned = System.nanoTime();
        closed.removedByRequest().forEach((id, count) -> {
            if (count > 0) {
                versions.erasureApplied(id);
            }
        });
        if (closed.removedByRequest().values().stream().anyMatch(count -> count > 0)) {
            learning.publish(VersionTrigger.ERASURE);
        }
        answer(closed.removedByRequest(), closed.requests(), closed.toUnlearn().size(), closed.toUnlearn().size(), started,
                unlearned, Map.of("requests_in_batch", (double) closed.removedByRequest().size()), keys(closed.toUnlearn()),
                0); // the window's events reach back to its first request; the snapshot after it cut them
        window.answered(closed);
    }

    /**
     * One receipt per request, the unlearning report and the evaluation after it, committed at once.
     * Subject erasures destroy their subject's data key here: after the learner unlearned with it, in
     * the same transaction as the receipt, so a crash either keeps both (and redoes the erasure) or
     * neither.
     */
    private void answer(Map<String, Long> removedByRequest, Map<String, ErasureRequest> requests, long removed,
                        long unlearnedExamples, long started, long unlearned, Map<String, Double> batch,
                        List<String> erasedKeys, long journalMark) {
        LearningEngine.Verification verification = engine.verify((int) removed);
        Map<String, String> keysDestroyed = attestation.shredSubjectKeys(requests);
        Map<String, Double> extra = new java.util.TreeMap<>(batch);
        ErasureAttestation.Checked checked = attestation.check(erasedKeys, journalMark);
        extra.putAll(attestation.metrics(erasedKeys, checked, versions.version()));
        long bufferRemoved = verification.metrics().getOrDefault("replay_buffer_removed", 0.0).longValue();
        Map<String, Long> offsets = new java.util.TreeMap<>(versions.offsets());
        long processedMs = (System.nanoTime() - started) / 1_000_000;
        removedByRequest.forEach((id, count) -> {
            ErasureRequest request = requests.get(id);
            ErasureReceipt receipt = Receipts.answered(request, config.modelName(), versions.version(), count,
                    verification, processedMs, (unlearned - started) / 1_000_000, extra, System.currentTimeMillis(),
                    attestation.copies(request, count, checked, bufferRemoved,
                            java.util.Optional.ofNullable(keysDestroyed.get(id)), versions.version(), offsets));
            outputs.receipt(receipt);
            metrics.receipt(config.modelName(), receipt.getStatus().name());
        });
        outputs.evaluation(evaluations.unlearning(verification, removed, extra, versions.version(),
                learning.examplesLearned()));
        if (evaluations.afterErasureDue(unlearnedExamples)) {
            learning.evaluate(true);
        }
        commit.run(); // the receipts (and the version they name) become visible now, not at the next interval
    }
}
