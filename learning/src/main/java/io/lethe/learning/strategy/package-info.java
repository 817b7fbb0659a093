/**
 * Continual-learning strategies that act around the network's training steps, separate from the
 * replay buffer and its schedule (Avalanche's plugins): parameter regularisation toward the previous
 * task (L2, EWC), half fine-tuning, refresh learning. A {@link io.lethe.learning.strategy.StrategyLearner}
 * wraps the network with one strategy and is itself a {@link io.lethe.learning.replay.Rehearsable},
 * so a strategy composes with replay by wrapping the learner the replay trainer drives.
 */
package io.lethe.learning.strategy;
