package io.lethe.learning.strategy;

/**
 * The training strategies by name, with their default settings: one place for the experiment
 * commands and the streaming learner ({@code lethe.strategy}).
 */
public final class TrainingStrategies {

    /** Penalty weights: L2's and EWC's lambda. */
    public static final double L2_LAMBDA = 0.01;
    public static final double EWC_LAMBDA = 100;
    /** Refresh learning's ascent step and noise. */
    public static final double REFRESH_GAMMA = 0.01;
    public static final double REFRESH_SIGMA = 1e-4;
    /** k-FPF: every 200 steps, 20 steps of 32 buffered examples on the output and last hidden layers. */
    public static final int FPF_PERIOD = 200;
    public static final int FPF_STEPS = 20;
    public static final double FPF_RATE = 0.05;

    /** The names {@link #named} knows, "none" included. */
    public static final java.util.List<String> NAMES = java.util.List.of("none", "l2", "ewc", "hft", "refresh", "kfpf");

    private TrainingStrategies() {
    }

    /** A fresh strategy by name (null for "none"); each learner needs its own, it keeps state. */
    public static TrainingStrategy named(String name, long seed) {
        return switch (name) {
            case "none" -> null;
            case "l2" -> ParameterRegularisation.l2(L2_LAMBDA);
            case "ewc" -> ParameterRegularisation.ewc(EWC_LAMBDA);
            case "hft" -> new HalfFineTuning(seed);
            case "refresh" -> new RefreshLearning(REFRESH_GAMMA, REFRESH_SIGMA, seed);
            case "kfpf" -> new ForgettingProneFineTuning(FPF_PERIOD, FPF_STEPS, 32, FPF_RATE,
                    ForgettingProneFineTuning.OUTPUT_AND_LAST_HIDDEN, seed);
            default -> throw new IllegalArgumentException("unknown training strategy '" + name + "' (expected one of "
                    + NAMES + ")");
        };
    }

    /**
     * The replay trainer over the network, through the strategy when there is one, with k-FPF wired
     * to the trainer's buffer (what it fine-tunes on).
     */
    public static io.lethe.learning.replay.ReplayTrainer trainer(io.lethe.learning.replay.RehearsalConfig rehearsal,
                                                                 io.lethe.learning.gradient.NetworkLearner network,
                                                                 TrainingStrategy strategy, double learningRate) {
        io.lethe.learning.replay.Rehearsable learner = strategy == null ? network
                : new StrategyLearner(network, strategy, learningRate);
        io.lethe.learning.replay.ReplayTrainer trainer = rehearsal.trainer(learner);
        if (strategy instanceof ForgettingProneFineTuning fpf) {
            if (rehearsal.capacity() <= 1) {
                throw new IllegalArgumentException("k-FPF fine-tunes on a replay buffer: give it a buffer (capacity > 1)");
            }
            fpf.useBuffer(trainer.buffer());
        }
        return trainer;
    }
}
