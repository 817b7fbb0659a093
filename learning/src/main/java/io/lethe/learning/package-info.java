/**
 * Learners as a protocol: {@link io.lethe.learning.Learner#learn} and its mirror
 * {@link io.lethe.learning.Learner#unlearn}. This module holds algorithms only: it imports no Kafka,
 * no Avro and no store, so every learner is testable alone and reusable by a subscriber.
 */
package io.lethe.learning;
