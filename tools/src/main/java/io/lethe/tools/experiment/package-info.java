/**
 * Continual-learning experiments as commands: a scenario run through Kafka (the real topology, the
 * real learner processor) or in process (the same {@code ReplayTrainer}), with comparison tables
 * and JSON results under {@code var/}.
 */
package io.lethe.tools.experiment;
