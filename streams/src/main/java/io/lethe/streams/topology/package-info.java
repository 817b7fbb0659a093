/**
 * The Lethe topology, built by one pure function from configuration ({@link io.lethe.streams.topology.LetheTopology#build}):
 * per-partition validation, then a single learner per model that learns, unlearns, publishes model
 * versions and answers every erasure request with one receipt. One processor class per job.
 */
package io.lethe.streams.topology;
