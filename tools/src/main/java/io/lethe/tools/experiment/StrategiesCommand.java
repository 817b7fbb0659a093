package io.lethe.tools.experiment;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code lethe strategies}: the continual-learning strategies compared in one command. It runs
 * {@link RehearsalCommand} once per scenario (Split-MNIST, class-incremental, and Permuted-MNIST,
 * domain-incremental, by default) with replay and the training strategies side by side, and merges
 * one row per scenario, strategy and seed into {@code var/strategies-results.json}. Every other
 * option is {@code lethe rehearsal}'s.
 */
public final class StrategiesCommand {

    static final String DEFAULT_STRATEGIES = "naive,uniform,naive+l2,naive+ewc,naive+distill,naive+hft,naive+ema,"
            + "naive+gere-labels,naive+gere,uniform+refresh,uniform+viewbatch,store+kfpf,store+fpf,uniform+fpf";

    /** Permuted-MNIST's default task size here (Split-MNIST uses every image: 5 tasks of about 12,000). */
    static final int PERMUTED_PER_TASK = 6000;

    private final List<String> scenarios;
    private final List<String> passThrough;
    private final PrintStream out;

    public StrategiesCommand(List<String> args, PrintStream out) {
        List<String> scenarioList = List.of("split", "permuted");
        List<String> rest = new ArrayList<>();
        boolean strategies = false;
        boolean seeds = false;
        boolean target = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--scenarios") && i + 1 < args.size()) {
                scenarioList = List.of(args.get(++i).split(","));
                continue;
            }
            if (a.equals("--scenario")) {
                throw new IllegalArgumentException("lethe strategies takes --scenarios split,permuted (a list)");
            }
            strategies |= a.equals("--strategies");
            seeds |= a.equals("--seeds");
            target |= a.equals("--out");
            rest.add(a);
        }
        if (!strategies) {
            rest.addAll(List.of("--strategies", DEFAULT_STRATEGIES));
        }
        if (!seeds) {
            rest.addAll(List.of("--seeds", "1,2,3"));
        }
        if (!target) {
            rest.addAll(List.of("--out", "var/strategies-results.json"));
        }
        this.scenarios = scenarioList;
        this.passThrough = rest;
        this.out = out;
        for (String scenario : scenarios) {
            options(scenario); // every option is checked before any run
        }
    }

    private RehearsalCommand.Options options(String scenario) {
        List<String> args = new ArrayList<>(List.of("--scenario", scenario));
        if (scenario.equals("permuted") && !passThrough.contains("--per-task")) {
            // Ten tasks of all 60,000 images would be 600,000 examples a run; 6,000 per task keeps it at 60,000.
            args.addAll(List.of("--per-task", Integer.toString(PERMUTED_PER_TASK)));
        }
        args.addAll(passThrough);
        return RehearsalCommand.Options.parse(args);
    }

    public List<Map<String, Object>> run() throws Exception {
        List<Map<String, Object>> all = new ArrayList<>();
        for (String scenario : scenarios) {
            all.addAll(new RehearsalCommand(options(scenario), out).run());
        }
        return all;
    }
}
