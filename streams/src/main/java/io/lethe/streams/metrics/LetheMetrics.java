package io.lethe.streams.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/** The learner's metrics; a sink for values, registered in one Prometheus registry. */
public final class LetheMetrics {

    private final PrometheusRegistry registry;
    private final Gauge modelVersion;
    private final Gauge examplesLearned;
    private final Gauge examplesRetained;
    private final Counter receipts;
    private final Gauge unlearning;
    private final Gauge accuracy;
    private final Gauge continual;

    public LetheMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        this.modelVersion = Gauge.builder().name("lethe_model_version").help("Newest published model version")
                .labelNames("model").register(registry);
        this.examplesLearned = Gauge.builder().name("lethe_examples_learned").help("Examples learned by the model")
                .labelNames("model").register(registry);
        this.examplesRetained = Gauge.builder().name("lethe_examples_retained")
                .help("Examples the model currently contains (learned minus unlearned)").labelNames("model").register(registry);
        this.receipts = Counter.builder().name("lethe_erasure_receipts").help("Erasure receipts sent, by status")
                .labelNames("model", "status").register(registry);
        this.unlearning = Gauge.builder().name("lethe_unlearning_measurement")
                .help("Measurements of the latest approximate unlearning run (accuracies in percent, times in ms)")
                .labelNames("model", "measurement").register(registry);
        this.accuracy = Gauge.builder().name("lethe_eval_accuracy")
                .help("Accuracy in percent on each task's evaluation set at the latest continual evaluation")
                .labelNames("model", "task").register(registry);
        this.continual = Gauge.builder().name("lethe_eval_metric")
                .help("Continual-evaluation metrics: min_acc, wc_acc, wf10, wp10 (percent), stability_gap_max_depth (points)")
                .labelNames("model", "metric").register(registry);
    }

    public void evaluated(String model, Map<Integer, Double> taskAccuracy, Map<String, Double> metrics) {
        taskAccuracy.forEach((task, value) -> accuracy.labelValues(model, Integer.toString(task)).set(value));
        metrics.forEach((name, value) -> {
            if (value != null && Double.isFinite(value)) {
                continual.labelValues(model, name).set(value);
            }
        });
    }

    /** A sink that records nothing anyone reads (topology tests). */
    public static LetheMetrics unregistered() {
        return new LetheMetrics(new PrometheusRegistry());
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void versionPublished(String model, long version, long learned, long retained) {
        modelVersion.labelValues(model).set(version);
        examplesLearned.labelValues(model).set(learned);
        examplesRetained.labelValues(model).set(retained);
    }

    public void receipt(String model, String status) {
        receipts.labelValues(model, status).inc();
    }

    public void unlearned(String model, Map<String, Double> measurements) {
        measurements.forEach((name, value) -> {
            if (value != null && Double.isFinite(value)) {
                unlearning.labelValues(model, name).set(value);
            }
        });
    }
}
