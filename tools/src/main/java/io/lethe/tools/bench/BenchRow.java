package io.lethe.tools.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One row of {@code var/bench-results.json}: a measured value, and for a target row the target and
 * whether it was met. Rows without a target (ceilings, context) carry null in both. Rows are
 * compared across runs by name, so names never change meaning.
 *
 * @param name stable identifier
 * @param value the measurement
 * @param unit its unit
 * @param target the target, with its direction in {@code targetKind}
 * @param met whether the value reaches the target
 * @param targetKind {@code at_least} or {@code at_most}
 * @param note how the value was measured or what it is relative to
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BenchRow(@JsonProperty("name") String name, @JsonProperty("value") double value, @JsonProperty("unit") String unit,
                       @JsonProperty("target") Double target, @JsonProperty("met") Boolean met,
                       @JsonProperty("target_kind") String targetKind, @JsonProperty("note") String note) {

    /** A measurement without a target. */
    public static BenchRow measured(String name, double value, String unit, String note) {
        return new BenchRow(name, value, unit, null, null, null, note);
    }

    /** A measurement that must reach at least {@code target}. */
    public static BenchRow atLeast(String name, double value, String unit, double target, String note) {
        return new BenchRow(name, value, unit, target, value >= target, "at_least", note);
    }

    /** A measurement that must stay at most {@code target}. */
    public static BenchRow atMost(String name, double value, String unit, double target, String note) {
        return new BenchRow(name, value, unit, target, value <= target, "at_most", note);
    }
}
