package io.lethe.streams;

import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.replay.RehearsalConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which learner a model uses and, for the gradient learner, its network and rehearsal settings.
 *
 * @param learner analytic (exact unlearning, frozen features) or mlp (DL4J network with replay)
 * @param hidden units per hidden layer of the MLP
 * @param learningRate SGD learning rate of the MLP
 * @param seed seeds the network's initialisation and the replay buffer
 * @param rehearsal storage policy, capacity, scheduler and budget
 * @param threads ND4J threads for this learner (0 = backend default)
 * @param unlearningMethod sfr-on, ssd, gradient-ascent or fine-tune (the MLP's approximate unlearning)
 * @param network mlp or cnn (the CNN unlearns by gradient ascent through DL4J)
 */
public record GradientSettings(String learner, int hidden, double learningRate, long seed, RehearsalConfig rehearsal,
                               int threads, String unlearningMethod, String network) {

    public static final String ANALYTIC = "analytic";
    public static final String MLP = "mlp";

    public GradientSettings {
        if (!List.of(ANALYTIC, MLP).contains(learner)) {
            throw new IllegalArgumentException("lethe.learner must be analytic or mlp, got '" + learner + "'");
        }
        if (hidden < 1) {
            throw new IllegalArgumentException("lethe.mlp.hidden must be at least 1, got " + hidden);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("lethe.mlp.learning.rate must be a positive number, got " + learningRate);
        }
        io.lethe.learning.unlearning.UnlearningMethod.named(unlearningMethod); // fails on unknown names
        NetworkLearner.Architecture.named(network);
        if (threads < 0) {
            throw new IllegalArgumentException("lethe.nd4j.threads must be >= 0 (0 = backend default), got " + threads);
        }
    }

    public boolean gradient() {
        return MLP.equals(learner);
    }

    public NetworkLearner newNetwork(int inputDim, int maxClasses) {
        return new NetworkLearner(NetworkLearner.Architecture.named(network), inputDim, hidden, maxClasses, learningRate,
                1, seed);
    }
}
