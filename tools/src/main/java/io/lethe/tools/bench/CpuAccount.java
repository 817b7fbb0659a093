package io.lethe.tools.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where this process's CPU time went between two moments, by the job of the threads that spent it.
 * The embedded broker, the clients, the topology and the learner share one JVM and two cores, so a
 * rate below the in-memory learner's is either CPU the learner did not get (spent by whom, this
 * says) or cores left idle (the busy-cores figure says). Java threads are read by name. The JIT's
 * compiler threads, the garbage collector and native threads are not Java threads: together they are
 * the process's time less the Java threads', split (on Linux) in the proportions the kernel counted
 * for each in {@code /proc/self/task}.
 */
final class CpuAccount {

    /** The groups, in the order printed. */
    static final String STREAM = "stream thread";
    /** Every thread of the replay network's application (stream thread, its clients), when it runs beside. */
    static final String REPLAY = "replay application";
    /** The analytic learner's own thread, when it learns beside the stream thread. */
    static final String LEARNER = "learner thread";
    static final String FEATURES = "feature workers";
    static final String BROKER = "broker";
    static final String CLIENTS = "client network threads";
    static final String DRIVER = "bench producer";
    static final String JIT = "JIT compiler";
    static final String GC = "garbage collector";
    static final String NATIVE = "native and other";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final long startWall;
    private final long startProcess;
    private final Map<Long, Long> startByThread = new java.util.HashMap<>();
    private final Map<String, KernelTicks> startTicks;

    private CpuAccount() {
        startWall = System.nanoTime();
        startProcess = processCpuNanos();
        startTicks = kernelTicks();
        for (long id : threads.getAllThreadIds()) {
            startByThread.put(id, Math.max(0, threads.getThreadCpuTime(id)));
        }
    }

    /** Starts counting now. */
    static CpuAccount start() {
        return new CpuAccount();
    }

    /** CPU seconds per group since the start, and the cores kept busy on average. */
    record Spent(Map<String, Double> seconds, double wallSeconds) {

        double total() {
            return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double busyCores() {
            return total() / wallSeconds;
        }

        /** CPU seconds per 1,000 examples at {@code examplesPerSecond}, the groups named left out. */
        double perThousandExamples(double examplesPerSecond, String... leftOut) {
            double spent = total();
            for (String group : leftOut) {
                spent -= seconds.getOrDefault(group, 0.0);
            }
            return 1000 * spent / (examplesPerSecond * wallSeconds);
        }

        /** "stream thread 12.1 s (35%), ..." */
        String describe() {
            double total = total();
            StringBuilder s = new StringBuilder();
            seconds.forEach((group, sec) -> {
                if (!(group.equals(REPLAY) && sec == 0)) { // the replay group only where it ran
                    s.append(s.length() == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT,
                            "%s %.1f s (%.0f%%)", group, sec, 100 * sec / total));
                }
            });
            return s.toString();
        }
    }

    Spent stop() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String g : new String[] {STREAM, LEARNER, REPLAY, FEATURES, BROKER, CLIENTS, DRIVER, JIT, GC, NATIVE}) {
            seconds.put(g, 0.0);
        }
        double javaSeconds = 0;
        for (long id : threads.getAllThreadIds()) {
            ThreadInfo info = threads.getThreadInfo(id);
            long cpu = threads.getThreadCpuTime(id);
            if (info == null || cpu < 0) {
                continue; // ended meanwhile
            }
            double spent = (cpu - startByThread.getOrDefault(id, 0L)) / 1e9;
            seconds.merge(group(info.getThreadName()), spent, Double::sum);
            javaSeconds += spent;
        }
        double process = (processCpuNanos() - startProcess) / 1e9;
        double notJava = Math.max(0, process - javaSeconds);
        Map<String, Long> ticks = new java.util.HashMap<>();
        long allTicks = 0;
        for (var now : kernelTicks().entrySet()) {
            KernelTicks before = startTicks.get(now.getKey());
            long spent = now.getValue().ticks() - (before == null ? 0 : before.ticks());
            ticks.merge(now.getValue().group(), spent, Long::sum);
            allTicks += spent;
        }
        double secondsPerTick = allTicks > 0 ? process / allTicks : 0;
        double jit = Math.min(notJava, ticks.getOrDefault(JIT, 0L) * secondsPerTick);
        double gc = Math.min(notJava - jit, ticks.getOrDefault(GC, 0L) * secondsPerTick);
        seconds.put(JIT, jit);
        seconds.put(GC, gc);
        seconds.put(NATIVE, notJava - jit - gc);
        return new Spent(seconds, (System.nanoTime() - startWall) / 1e9);
    }

    /** A thread's CPU ticks as the kernel counts them, and the group its name puts it in. */
    private record KernelTicks(String group, long ticks) {
    }

    /** Every thread of this process by its kernel id, or none where there is no /proc. */
    private static Map<String, KernelTicks> kernelTicks() {
        Map<String, KernelTicks> byTask = new java.util.HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        for (java.io.File task : tasks == null ? new java.io.File[0] : tasks) {
            try {
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
                String group = name.contains("CompilerThre") ? JIT
                        : name.startsWith("GC Thread") || name.startsWith("G1 ") ? GC : "";
                byTask.put(task.getName(), new KernelTicks(group, ticks));
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended while being read
            }
        }
        return byTask;
    }

    static String group(String name) {
        if (name.contains(KafkaPath.REPLAY_APPLICATION_ID)) {
            return REPLAY;
        }
        if (name.contains("StreamThread") && !name.contains("producer")) {
            return STREAM;
        }
        if (name.startsWith("lethe-learner-")) {
            return LEARNER;
        }
        if (name.startsWith("ForkJoinPool")) {
            return FEATURES;
        }
        if (name.contains("producer-network-thread") || name.contains("admin-client") || name.contains("consumer")) {
            return CLIENTS;
        }
        if (name.equals("main")) {
            return DRIVER;
        }
        return BROKER; // request handlers, network processors, coordinators, log cleaner, raft
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
