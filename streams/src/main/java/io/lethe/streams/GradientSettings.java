package io.lethe.streams;

import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.replay.RehearsalConfig;

/**
 * The network learner's settings (lethe.learner=mlp): its network, rehearsal and unlearning.
 *
 * @param hidden units per hidden layer of the MLP
 * @param learningRate SGD learning rate of the MLP
 * @param seed seeds the network's initialisation and the replay buffer
 * @param rehearsal storage policy, capacity, scheduler and budget
 * @param threads ND4J threads for this learner (0 = backend default)
 * @param unlearningMethod sfr-on, ssd, gradient-ascent or fine-tune (the MLP's approximate unlearning)
 * @param network mlp or cnn (the CNN unlearns by gradient ascent through DL4J)
 * @param batchSize stream examples per training step
 * @param holdoutPercent share of examples held out (stored, not learned) as test data
 * @param holdoutCapacity held-out examples kept for evaluation
 * @param unlearningPolicy when to accept an approximate run and when to retrain exactly
 * @param shards SISA: 1 is one network; K > 1 trains K networks, each on the subjects hashed to it, and
 *     an erasure retrains only the shards that held the subject (exact)
 * @param strategy a training strategy around each step (none, l2, ewc, hft, refresh, kfpf)
 */
public record GradientSettings(int hidden, double learningRate, long seed, RehearsalConfig rehearsal,
                               int threads, String unlearningMethod, String network, int batchSize,
                               double holdoutPercent, int holdoutCapacity, UnlearningPolicySettings unlearningPolicy,
                               int shards, String strategy) {

    /** Values are checked where they are read ({@link Settings}); names the learning library checks itself. */
    public GradientSettings {
        io.lethe.learning.unlearning.UnlearningMethod.named(unlearningMethod); // fails on unknown names
        NetworkLearner.Architecture.named(network);
        io.lethe.learning.strategy.TrainingStrategies.named(strategy, seed); // fails on unknown names
        if (!strategy.equals("none") && NetworkLearner.Architecture.named(network) != NetworkLearner.Architecture.MLP) {
            throw new IllegalArgumentException("lethe.strategy " + strategy + " works on the MLP only, not " + network);
        }
    }

    /** A fresh training strategy for one network (null: none); each keeps its own state. */
    public io.lethe.learning.strategy.TrainingStrategy newStrategy(long withSeed) {
        return io.lethe.learning.strategy.TrainingStrategies.named(strategy, withSeed);
    }

    /** A network as new with another seed (a SISA shard's). */
    public NetworkLearner newNetwork(int inputDim, int maxClasses, long withSeed) {
        return new NetworkLearner(NetworkLearner.Architecture.named(network), inputDim, hidden, maxClasses, learningRate,
                1, withSeed);
    }

    public NetworkLearner newNetwork(int inputDim, int maxClasses) {
        return new NetworkLearner(NetworkLearner.Architecture.named(network), inputDim, hidden, maxClasses, learningRate,
                1, seed);
    }

    /** Which examples the network learner holds out as test data. */
    public io.lethe.streams.erasure.HoldOutRule holdOutRule() {
        return new io.lethe.streams.erasure.HoldOutRule(holdoutPercent, seed);
    }
}
