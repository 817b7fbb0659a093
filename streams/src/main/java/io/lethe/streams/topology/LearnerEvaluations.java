package io.lethe.streams.topology;

import io.lethe.schemas.AvroCodec;
import io.lethe.schemas.EvaluationReport;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.metrics.LetheMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the learner reports about its model on {@code lethe.evaluations} and as Prometheus gauges:
 * continual evaluation on the operator's evaluation sets (intake, cadence, reports) and the
 * measurements of each approximate unlearning run.
 */
final class LearnerEvaluations {

    private final LetheConfig config;
    private final ContinualEvaluator evaluator;
    private final LetheMetrics metrics;
    private long examplesSinceEvaluation;

    LearnerEvaluations(LetheConfig config, ContinualEvaluator evaluator, LetheMetrics metrics) {
        this.config = config;
        this.evaluator = evaluator;
        this.metrics = metrics;
    }

    /** Takes an evaluation example; returns why it was refused, or null. */
    String offer(byte[] value) {
        try {
            TrainingExample example = AvroCodec.TRAINING_EXAMPLE.decode(value);
            String problem = RecordValidator.checkExample(example, null, config);
            if (problem == null) {
                evaluator.offer(example);
            }
            return problem;
        } catch (AvroCodec.AvroCodecException e) {
            return e.getMessage();
        }
    }

    /** Counts a learned example; true when the next regular evaluation is due. */
    boolean learnedOneDue() {
        examplesSinceEvaluation++;
        return config.evalEveryExamples() > 0 && examplesSinceEvaluation >= config.evalEveryExamples() && evaluator.hasSets();
    }

    /** Whether an erasure that unlearned this many examples is followed by an evaluation. */
    boolean afterErasureDue(long unlearnedExamples) {
        return unlearnedExamples > 0 && config.evalEveryExamples() > 0 && evaluator.hasSets();
    }

    /**
     * Evaluates the live model on every task's evaluation set, now. {@code step} counts the examples
     * the evaluated model has learned (examples waiting for their batch are not forced in: that would
     * change the batches, and so the model, against a run without evaluation).
     */
    EvaluationReport evaluate(LearningEngine engine, long version, long step, int newestTask, boolean afterErasure) {
        if (!afterErasure) {
            examplesSinceEvaluation = 0;
        }
        EvaluationReport report = evaluator.evaluate(engine::predictEvaluation, config.modelName(), version, step,
                newestTask, afterErasure);
        Map<Integer, Double> byTask = new TreeMap<>();
        report.getTaskAccuracies().forEach(t -> byTask.put(t.getTask(), t.getAccuracy()));
        metrics.evaluated(config.modelName(), byTask, report.getMetrics());
        return report;
    }

    /** Approximate unlearning's measurements, for monitoring; null when there is nothing to report. */
    EvaluationReport unlearning(LearningEngine.Verification verification, long removed, Map<String, Double> extra,
                                long version, long step) {
        if (removed == 0 || verification.metrics().isEmpty()) {
            return null;
        }
        Map<String, Double> measured = new TreeMap<>();
        verification.metrics().forEach((k, v) -> measured.put("unlearning." + k, v));
        extra.forEach((k, v) -> measured.put("unlearning." + k, v));
        metrics.unlearned(config.modelName(), verification.metrics());
        Double buffer = verification.metrics().get("retained_accuracy_replay_buffer");
        return EvaluationReport.newBuilder()
                .setModelName(config.modelName())
                .setModelVersion(version)
                .setStep(step)
                .setEvaluatedAt(Instant.now())
                .setTaskAccuracies(List.of())
                .setAverageAccuracy(buffer == null ? Double.NaN : buffer)
                .setMetrics(measured)
                .build();
    }
}
