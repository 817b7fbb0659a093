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
 * says) or cores left idle (the busy-cores figure says). Java threads are read by name; the JIT's
 * compiler threads, the garbage collector and native threads are not Java threads, and are the
 * process's time less the Java threads'.
 */
final class CpuAccount {

    /** The groups, in the order printed. */
    static final String STREAM = "stream thread";
    static final String FEATURES = "feature workers";
    static final String BROKER = "broker";
    static final String CLIENTS = "client network threads";
    static final String DRIVER = "bench producer";
    static final String JIT_GC_NATIVE = "JIT, GC, native";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final long startWall;
    private final long startProcess;
    private final Map<Long, Long> startByThread = new java.util.HashMap<>();

    private CpuAccount() {
        startWall = System.nanoTime();
        startProcess = processCpuNanos();
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

        /** "stream thread 12.1 s (35%), ..." */
        String describe() {
            double total = total();
            StringBuilder s = new StringBuilder();
            seconds.forEach((group, sec) -> s.append(s.length() == 0 ? "" : ", ")
                    .append(String.format(java.util.Locale.ROOT, "%s %.1f s (%.0f%%)", group, sec, 100 * sec / total)));
            return s.toString();
        }
    }

    Spent stop() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String g : new String[] {STREAM, FEATURES, BROKER, CLIENTS, DRIVER, JIT_GC_NATIVE}) {
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
        seconds.put(JIT_GC_NATIVE, Math.max(0, process - javaSeconds));
        return new Spent(seconds, (System.nanoTime() - startWall) / 1e9);
    }

    static String group(String name) {
        if (name.contains("StreamThread") && !name.contains("producer")) {
            return STREAM;
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
