/**
 * Prometheus exposition of Lethe: the learner's own figures (versions, examples, receipts,
 * unlearning measurements), JVM metrics and Kafka Streams' client metrics, through the Prometheus
 * Java client. Processors only hand values to {@link io.lethe.streams.metrics.LetheMetrics}.
 */
package io.lethe.streams.metrics;
