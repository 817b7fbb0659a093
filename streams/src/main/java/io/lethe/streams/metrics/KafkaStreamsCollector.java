package io.lethe.streams.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Kafka Streams' client metrics (threads, tasks, stores, embedded clients) as Prometheus gauges:
 * {@code kafka_streams_<group>_<name>} with the metric's tags as labels. Non-numeric metrics are
 * left out.
 */
public final class KafkaStreamsCollector implements MultiCollector {

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;

    public KafkaStreamsCollector(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.metrics = metrics;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, List<GaugeSnapshot.GaugeDataPointSnapshot>> byName = new TreeMap<>();
        Map<String, String> help = new TreeMap<>();
        Map<String, Set<Labels>> seen = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
            Object value = entry.getValue().metricValue();
            if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
                continue;
            }
            MetricName name = entry.getKey();
            String prometheusName = sanitize("kafka_streams_" + name.group() + "_" + name.name());
            Labels.Builder labels = Labels.builder();
            new TreeMap<>(name.tags()).forEach((k, v) -> labels.label(sanitize(k), v));
            Labels built = labels.build();
            if (!seen.computeIfAbsent(prometheusName, k -> new HashSet<>()).add(built)) {
                continue; // the same series twice (e.g. from two clients with equal tags): keep the first
            }
            byName.computeIfAbsent(prometheusName, k -> new ArrayList<>()).add(
                    GaugeSnapshot.GaugeDataPointSnapshot.builder().value(number.doubleValue()).labels(built).build());
            help.putIfAbsent(prometheusName, name.description() == null || name.description().isBlank()
                    ? "Kafka Streams metric " + name.group() + "/" + name.name() : name.description());
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        byName.forEach((name, points) -> {
            GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help.get(name));
            points.forEach(builder::dataPoint);
            snapshots.add(builder.build());
        });
        return new MetricSnapshots(snapshots);
    }

    static String sanitize(String raw) {
        String s = raw.replaceAll("[^a-zA-Z0-9_]", "_");
        if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
            s = "_" + s;
        }
        // Suffixes the exposition format reserves for counters and histograms.
        for (String reserved : new String[] {"_total", "_created", "_bucket", "_count", "_sum", "_info"}) {
            if (s.endsWith(reserved)) {
                s = s + "_value";
            }
        }
        return s;
    }
}
