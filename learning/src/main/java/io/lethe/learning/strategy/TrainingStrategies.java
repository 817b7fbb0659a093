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

    /** FPF once the last task is over: 500 SGD steps of 32 buffered examples on the same modules. */
    public static final int FPF_FINAL_STEPS = 500;
    /** Prediction distillation's weight and temperature. */
    public static final double DISTILL_LAMBDA = 1.0;
    public static final double DISTILL_TEMPERATURE = 2.0;
    /** GeRe: 200 general samples, 32 of them replayed per step; the margin's weight dynamic ("dy"). */
    public static final int GERE_SAMPLES = 200;
    public static final int GERE_PER_STEP = 32;
    /**
     * View-batch replay: 4 views per example, each input of the 3 copies zeroed with probability 0.1
     * (translations are not label-preserving on permuted pixels: Permuted-MNIST ACC 66.5 against 82.8
     * for replay alone, 5 tasks of 2,000, one seed).
     */
    public static final int VIEWS = 4;
    public static final double VIEW_DROPOUT = 0.1;

    /** The names {@link #named} knows, "none" included; several join with + ({@code ewc+fpf}). */
    public static final java.util.List<String> NAMES = java.util.List.of("none", "l2", "ewc", "hft", "refresh", "kfpf",
            "fpf", "distill", "ema", "gere", "gere-labels", "viewbatch", "viewbatch-rest");
    /** The names a stream can use: all but FPF, which acts when the last task is over, and a stream has none. */
    public static final java.util.List<String> STREAM_NAMES = NAMES.stream().filter(n -> !n.equals("fpf")).toList();

    private TrainingStrategies() {
    }

    /** A fresh strategy by name (null for "none"); each learner needs its own, it keeps state. */
    public static TrainingStrategy named(String name, long seed) {
        if (name.contains("+")) {
            java.util.List<TrainingStrategy> members = new java.util.ArrayList<>();
            for (String part : name.split("\\+")) {
                TrainingStrategy member = named(part, seed);
                if (member == null) {
                    throw new IllegalArgumentException("'" + name + "': leave out the none");
                }
                members.add(member);
            }
            return new StrategyChain(members);
        }
        return switch (name) {
            case "none" -> null;
            case "l2" -> ParameterRegularisation.l2(L2_LAMBDA);
            case "ewc" -> ParameterRegularisation.ewc(EWC_LAMBDA);
            case "hft" -> new HalfFineTuning(seed);
            case "refresh" -> new RefreshLearning(REFRESH_GAMMA, REFRESH_SIGMA, seed);
            case "kfpf" -> new ForgettingProneFineTuning(FPF_PERIOD, FPF_STEPS, 32, FPF_RATE,
                    ForgettingProneFineTuning.OUTPUT_AND_LAST_HIDDEN, seed);
            case "fpf" -> ForgettingProneFineTuning.once(FPF_FINAL_STEPS, 32, FPF_RATE,
                    ForgettingProneFineTuning.OUTPUT_AND_LAST_HIDDEN, seed);
            case "distill" -> new PredictionDistillation(DISTILL_LAMBDA, DISTILL_TEMPERATURE);
            case "ema" -> new BalancedEma();
            case "gere" -> new GeneralSamplesReplay(GERE_SAMPLES, GERE_PER_STEP, true, Double.NaN, seed);
            case "gere-labels" -> new GeneralSamplesReplay(GERE_SAMPLES, GERE_PER_STEP, false, Double.NaN, seed);
            case "viewbatch" -> new ViewBatchReplay(VIEWS, 0, VIEW_DROPOUT, false, seed);
            case "viewbatch-rest" -> new ViewBatchReplay(VIEWS, 0, VIEW_DROPOUT, true, seed);
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
        java.util.List<TrainingStrategy> members = strategy instanceof StrategyChain chain ? chain.members()
                : strategy == null ? java.util.List.of() : java.util.List.of(strategy);
        for (TrainingStrategy member : members) {
            if (member instanceof BufferedStrategy buffered) {
                if (rehearsal.capacity() <= 1) {
                    throw new IllegalArgumentException("k-FPF and FPF fine-tune on a replay buffer: give them one"
                            + " (replay 'store' keeps a buffer without replaying it, e.g. store+fpf)");
                }
                buffered.useBuffer(trainer.buffer());
            }
        }
        return trainer;
    }
}
