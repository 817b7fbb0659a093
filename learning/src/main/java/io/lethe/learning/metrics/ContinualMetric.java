package io.lethe.learning.metrics;

/** A metric fed with evaluations in step order. */
public interface ContinualMetric<R> {

    void update(Evaluation evaluation);

    R result();

    void reset();
}
