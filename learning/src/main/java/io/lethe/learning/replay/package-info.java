/**
 * Replay for gradient continual learning, in separate parts as in Avalanche: what a buffer keeps
 * (a {@link io.lethe.learning.replay.StoragePolicy} within a bounded
 * {@link io.lethe.learning.replay.ReplayBuffer}) and how much of each task to rehearse at each step
 * (a {@link io.lethe.learning.replay.RehearsalScheduler}). No Kafka here: the streams module keeps
 * the buffer's contents in a state store.
 */
package io.lethe.learning.replay;
