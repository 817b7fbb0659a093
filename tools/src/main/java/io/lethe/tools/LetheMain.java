package io.lethe.tools;

import io.lethe.streams.LetheConfig;
import io.lethe.streams.app.LetheApplication;
import io.lethe.tools.demo.SplitMnistDemo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Command line: {@code demo} runs the Split-MNIST demo on the embedded broker; {@code run} runs the
 * application until interrupted; {@code settings} lists every setting with its default.
 */
public final class LetheMain {

    private LetheMain() {
    }

    /** Runs an experiment command and exits: 0 when it ran, 1 with its message on bad options or data. */
    private static void experiment(String command, java.util.concurrent.Callable<?> body) throws Exception {
        try {
            body.call();
            System.exit(0);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("lethe " + command + ": " + e.getMessage());
            System.exit(1);
        }
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        List<String> rest = java.util.Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        if (java.util.Set.of("demo", "run", "oracle", "rehearsal", "strategies").contains(command)) {
            System.out.println("logs of Kafka and the libraries: " + libraryLogFile()
                    + " (Lethe's own messages stay on this console)");
        }
        if (command.equals("unlearning")) {
            experiment(command, () -> new io.lethe.tools.experiment.UnlearningCommand(io.lethe.tools.experiment.UnlearningCommand.Options.parse(
                rest), System.out).run());
        }
        if (command.equals("sisa")) {
            List<Integer> shards = args.length > 2 && args[1].equals("--shards")
                    ? java.util.Arrays.stream(args[2].split(",")).map(Integer::parseInt).toList() : List.of(1, 4, 8);
            new io.lethe.tools.experiment.SisaCommand(Path.of(System.getProperty("lethe.data.dir", "var/cache/data/mnist")),
                    shards, Path.of("var/sisa-results.json"), System.out).run();
            System.exit(0);
        }
        if (command.equals("unlearning-sequence")) {
            int requests = args.length > 2 && args[1].equals("--requests") ? Integer.parseInt(args[2]) : 100;
            new io.lethe.tools.experiment.SequentialErasureCommand(Path.of(System.getProperty("lethe.data.dir",
                    "var/cache/data/mnist")), requests, 20, Path.of("var/unlearning-sequence.json"),
                    Path.of("docs/unlearning-sequence.png"), System.out).run();
            System.exit(0);
        }
        if (command.equals("rehearsal")) {
            experiment(command, () -> new io.lethe.tools.experiment.RehearsalCommand(io.lethe.tools.experiment.RehearsalCommand.Options.parse(
                rest), System.out).run());
        }
        if (command.equals("strategies")) {
            experiment(command, () -> new io.lethe.tools.experiment.StrategiesCommand(rest, System.out).run());
        }
        if (command.equals("scole")) {
            experiment(command, () -> new io.lethe.tools.experiment.ScoleCommand(io.lethe.tools.experiment.ScoleCommand.Options.parse(rest),
                System.out).run());
        }
        if (command.equals("kek")) {
            System.exit(io.lethe.tools.audit.Audit.newKek(java.util.Arrays.asList(args).subList(1, args.length), System.out));
        }
        Properties overrides = new Properties();
        Path config = null;
        String auditSubject = null;
        String auditRequest = null;
        int subjects = 1000;
        int subjectErasures = 50;
        int erasedClass = 3;
        boolean withReplay = true;
        int keepOpenSeconds = -1;
        boolean markdown = false;
        boolean benchKafka = true;
        boolean benchScaling = true;
        boolean benchKafkaOnly = false;
        boolean benchKafkaWithReplay = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--config") && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else if (arg.startsWith("-D") && arg.contains("=")) {
                overrides.setProperty(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            } else if (arg.equals("--erase-subjects") && i + 1 < args.length) {
                subjectErasures = Integer.parseInt(args[++i]);
            } else if (arg.equals("--subjects") && i + 1 < args.length) {
                subjects = Integer.parseInt(args[++i]);
            } else if (arg.equals("--erase-class") && i + 1 < args.length) {
                erasedClass = Integer.parseInt(args[++i]);
            } else if (arg.equals("--markdown") && command.equals("settings")) {
                markdown = true;
            } else if (arg.equals("--subject") && command.equals("audit") && i + 1 < args.length) {
                auditSubject = args[++i];
            } else if (arg.equals("--request") && command.equals("audit") && i + 1 < args.length) {
                auditRequest = args[++i];
            } else if (arg.equals("--no-kafka") && command.equals("bench")) {
                benchKafka = false;
            } else if (arg.equals("--no-scaling") && command.equals("bench")) {
                benchScaling = false;
            } else if (arg.equals("--kafka-only") && command.equals("bench")) {
                benchKafkaOnly = true;
            } else if (arg.equals("--with-replay") && command.equals("bench")) {
                benchKafkaWithReplay = true;
            } else if (arg.equals("--no-replay")) {
                withReplay = false;
            } else if (arg.equals("--keep-open") && i + 1 < args.length) {
                keepOpenSeconds = Integer.parseInt(args[++i]);
            } else {
                System.err.println("unknown argument: " + arg);
                usage();
                System.exit(2);
            }
        }
        if (config != null) {
            Properties fromFile = new Properties();
            try (InputStream in = Files.newInputStream(config)) {
                fromFile.load(in);
            }
            fromFile.putAll(overrides);
            overrides = fromFile;
        }
        try {
            switch (command) {
                case "demo" -> {
                    if (erasedClass < 0 || erasedClass > 9 || subjects < 1 || subjectErasures < 1) {
                        throw new IllegalArgumentException("--erase-class must be 0..9, --subjects and --erase-subjects >= 1");
                    }
                    Path data = Path.of(System.getProperty("lethe.data.dir", "var/cache/data/mnist"));
                    new SplitMnistDemo(new SplitMnistDemo.Options(data, Path.of("var/demo"), Path.of("var/demo-summary.json"),
                            subjects, subjectErasures, erasedClass, overrides, 7, withReplay, keepOpenSeconds), System.out).run();
                    System.exit(0);
                }
                case "run" -> run(overrides);
                case "audit" -> System.exit(io.lethe.tools.audit.Audit.run(LetheConfig.from(overrides), auditSubject, auditRequest, System.out));
                case "oracle" -> oracle(overrides);
                case "privacy-cost" -> io.lethe.tools.bench.PrivacyCostBench.run(
                        Path.of(System.getProperty("lethe.data.dir", "var/cache/data/mnist")), Path.of("var/privacy-cost.json"),
                        System.out);
                case "bench" -> new io.lethe.tools.bench.PerformanceBench(new io.lethe.tools.bench.PerformanceBench.Options(
                        Path.of(System.getProperty("lethe.data.dir", "var/cache/data/mnist")), Path.of("var/bench-results.json"),
                        Path.of("var/bench"), 20_000, subjectErasures == 50 ? 200 : subjectErasures, benchKafka, benchScaling,
                        benchKafkaOnly, benchKafkaWithReplay, overrides), System.out).run();
                case "settings" -> {
                    if (markdown) {
                        System.out.print(io.lethe.streams.Settings.markdownTable());
                        return;
                    }
                    for (io.lethe.streams.Setting<?> s : io.lethe.streams.Settings.ALL) {
                        System.out.printf("%-32s %-12s %s%n", s.name(), s.defaultValue().isEmpty() ? "(empty)" : s.defaultValue(), s.meaning());
                    }
                }
                default -> usage();
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("lethe: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * The retrain oracle as a command and, with {@code lethe.oracle.repeat.minutes} set as a system
     * property, as a scheduled verification job.
     */
    private static void oracle(Properties overrides) throws Exception {
        LetheConfig config = LetheConfig.from(overrides);
        if (config.embeddedBroker()) {
            throw new IllegalArgumentException("the oracle reads the topics of a running Lethe: set bootstrap.servers");
        }
        long repeatMinutes = Long.getLong("lethe.oracle.repeat.minutes", 0);
        Path out = Path.of("var/oracle-report.json");
        do {
            io.lethe.tools.oracle.StreamOracle oracle =
                    new io.lethe.tools.oracle.StreamOracle(config, config.bootstrapServers(), System.out::println);
            io.lethe.tools.oracle.StreamOracle.Report report = oracle.run();
            oracle.publish(report);
            Map<String, Object> doc = new java.util.LinkedHashMap<>(report.toMap());
            doc.put("model", config.modelName());
            doc.put("at", java.time.Instant.now().toString());
            io.lethe.modelstore.CheckpointStore.writeAtomically(out.toAbsolutePath(),
                    new com.fasterxml.jackson.databind.ObjectMapper()
                            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
            System.out.println("oracle report: " + doc + " (written to " + out + ")");
            if (repeatMinutes > 0) {
                Thread.sleep(repeatMinutes * 60_000);
            }
        } while (repeatMinutes > 0);
    }

    private static void run(Properties overrides) throws Exception {
        LetheConfig config = LetheConfig.from(overrides);
        LocalLethe local = LocalLethe.start(config);
        LetheApplication app = local.app();
        System.out.println("Lethe is running against " + app.bootstrapServers() + " (model " + config.modelName()
                + "); Ctrl-C stops it");
        app.dashboardUrl().ifPresent(url -> System.out.println("live dashboard: " + url));
        if (app.metricsPort() > 0) {
            System.out.println("Prometheus metrics: http://localhost:" + app.metricsPort() + "/metrics");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            local.close();
            stop.countDown();
        }));
        stop.await();
    }

    /** Where log4j2.xml sends the broker's, the clients' and the libraries' logs. */
    static Path libraryLogFile() {
        return Path.of(System.getProperty("lethe.log.file", "var/logs/lethe.log")).toAbsolutePath().normalize();
    }

    private static void usage() {
        System.out.println("""
                usage: lethe <command> [options]
                  demo      Split-MNIST through an embedded Kafka broker: the analytic learner and, beside it, an MLP
                            with experience replay learn 5 tasks; erase subjects and a class; compare with joint ridge;
                            live dashboard at http://localhost:8080/ (lethe.dashboard.port); writes var/demo-summary.json
                            [--subjects N (1000)] [--erase-subjects N (50)] [--erase-class C (3)] [--no-replay]
                            [--keep-open SECONDS (-1: until Enter, with a console)] [-Dsetting=value ...]
                  rehearsal continual learning with an MLP under rehearsal strategies; prints accuracy matrices and
                            ACC/BWT/FWT/min-ACC, merges var/rehearsal-results.json
                            [--scenario split|permuted|power-law] [--data mnist|fashion] [--strategies naive,uniform,power-law]
                            [--seeds 1,2,3] [--tasks N] [--per-task N (0 = all)] [--capacity 2000] [--budget 32]
                            [--exponent 0.5] [--policy reservoir|class-balanced|task-balanced] [--batch 32] [--lr 0.05]
                            [--hidden 400] [--revisits 3] [--environment-exponent 0.5] [--mode offline|kafka]
                            [--eval-every 1000] [--out var/rehearsal-results.json] [--network mlp|cnn]
                  strategies continual-learning strategies side by side: replay (naive, uniform, power-law, store:
                            a buffer not replayed) and training strategies after a + (several joined by +): l2, ewc
                            (regularisation toward the last task), distill (prediction distillation), hft (half
                            fine-tuning), ema (balanced-coefficient weight average), gere, gere-labels (a fixed set of
                            general samples replayed, with or without the activation margin), refresh (unlearn a
                            little, then learn), viewbatch (4 views per example), kfpf (periodic fine-tuning of the last
                            layers on the buffer), fpf (the same once, at the end); Split- and Permuted-MNIST, 3 seeds;
                            merges var/strategies-results.json [--scenarios split,permuted] [--strategies ...: 14 by
                            default] [--seeds 1,2,3] and every option of rehearsal (--mode kafka: the stream with
                            lethe.strategy)
                  scole     SCoLe: a long sequence of two-class MNIST tasks drawn at random (classes recur); accuracy on
                            all ten classes after every task for naive SGD and replay; writes var/scole-results.json and
                            docs/scole.png [--tasks 200] [--per-task 500] [--strategies naive,uniform] [--seeds 1]
                            [--eval 2000] [--lr 0.05] [--hidden 400] [--batch 32] [--capacity 2000] [--budget 32]
                  unlearning the MNIST unlearning table: random, class, corrupt-label and sequential class forgetting with SFR-on, SSD, gradient ascent
                            fine-tuning, IAU, GS-LoRA and SAM variants against the retrain oracle (UA, RA, TA, MIA, gap, time); writes
                            var/unlearning-results.json [--scenarios random-10,class-3,corrupt-3,sequence-3+5+8] [--methods sfr-on,ssd,...]
                            [--epochs 5] [--lr 0.1] [--hidden 400] [--seed 1] [--sisa-shards 4 (0: no SISA row)]
                  sisa      exact network unlearning by sharding on Split-MNIST: test accuracy and one subject's erasure
                            cost for K shards against retraining everything; writes var/sisa-results.json
                            [--shards 1,4,8]
                  unlearning-sequence  100 single-subject erasures one after another after Split-MNIST: test and
                            forget-set accuracy after each for SFR-on (buffer or store remain data), the guarded policy,
                            SISA K=4 and the retrain oracle every 20; writes var/unlearning-sequence.json and
                            docs/unlearning-sequence.png [--requests N]
                  bench     GEMM ceilings, then each stage of the analytic learner as a ratio to its floor, the Kafka path
                            (the demo, embedded broker) against the in-memory learner, 200 single-subject erasures, the
                            replay network's cost, and scaling tables (feature dimension; retained size 10k-600k);
                            writes var/bench-results.json [--erase-subjects N (200)] [--no-kafka] [--no-scaling]
                            [--kafka-only: the Kafka path alone, printed, not written; for trying -D settings]
                            [--with-replay: with --kafka-only, the replay network's application beside it, no erasures]
                  privacy-cost  encryption and purging on vs off, side by side through the embedded broker: learning
                            throughput and single-subject erasure latency; writes var/privacy-cost.json
                  run       run Lethe until interrupted [--config file.properties] [-Dsetting=value ...]
                  oracle    retrain the gradient model from lethe.examples without what lethe.erasures covers and
                            compare it with the newest version; writes var/oracle-report.json
                            [--config file] [-Dbootstrap.servers=...] (java -Dlethe.oracle.repeat.minutes=N: repeat)
                  audit     report every copy of a subject's data Lethe's topics, stores, snapshots and model store still
                            hold (readable, or sealed under a destroyed key); exit 1 when anything readable remains
                            --subject S | --request R  [--config file] [-Dbootstrap.servers=...] (none: the embedded
                            default's state, with Lethe stopped)
                  kek       --new FILE: create a key-encryption key file (32 random bytes, base64, owner-only)
                  settings  list every setting with its default and meaning [--markdown: as the README's table]""");
    }
}
