package io.lethe.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CPU accounts the bench's ratios rest on, against figures worked out by hand. */
class CpuAccountTest {

    @Test
    void cpuPerThousandExamplesWithAndWithoutAGroup() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put(CpuAccount.STREAM, 3.0);
        seconds.put(CpuAccount.LEARNER, 4.0);
        seconds.put(CpuAccount.JIT, 1.0);
        CpuAccount.Spent spent = new CpuAccount.Spent(seconds, 5.0); // 8 CPU s in 5 s: 1.6 cores busy

        assertEquals(1.6, spent.busyCores(), 1e-12);
        // 2,000 examples/s for 5 s = 10,000 examples: 8 CPU s / 10 = 0.8 per 1,000; 0.7 without the JIT
        assertEquals(0.8, spent.perThousandExamples(2_000), 1e-12);
        assertEquals(0.7, spent.perThousandExamples(2_000, CpuAccount.JIT), 1e-12);
    }

    @Test
    void threadsAreGroupedByTheirJob() {
        assertEquals(CpuAccount.LEARNER, CpuAccount.group("lethe-learner-mnist"));
        assertEquals(CpuAccount.STREAM, CpuAccount.group("lethe-1234-StreamThread-1"));
        assertEquals(CpuAccount.CLIENTS, CpuAccount.group("kafka-producer-network-thread | lethe-1234-StreamThread-1-producer"));
        assertEquals(CpuAccount.FEATURES, CpuAccount.group("ForkJoinPool.commonPool-worker-1"));
        assertEquals(CpuAccount.BROKER, CpuAccount.group("data-plane-kafka-request-handler-3"));
    }
}
