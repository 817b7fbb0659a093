package io.lethe.learning.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReplayTest {

    private static ReplayItem<Integer> item(int i, int task, int label, int bytes) {
        return new ReplayItem<>("ex-" + i, "subject-" + (i % 7), task, label, bytes, i);
    }

    /**
     * The per-task counts are kept with every change, and a plan is drawn in one pass: both must give
     * what a recount of the buffer and task-by-task sampling give, through offers with evictions,
     * removals and a reset.
     */
    @Test
    void keptCountsAndOnePassSamplingMatchARecountAndTaskByTaskSampling() {
        ReplayBuffer<Integer> buffer = new ReplayBuffer<>(60, Long.MAX_VALUE, StoragePolicy.named("task-balanced"), 9);
        ReplayBuffer<Integer> twin = new ReplayBuffer<>(60, Long.MAX_VALUE, StoragePolicy.named("task-balanced"), 9);
        java.util.SplittableRandom plans = new java.util.SplittableRandom(4);
        for (int i = 0; i < 1_500; i++) {
            ReplayItem<Integer> offered = item(i, i / 300, i % 10, 10);
            buffer.offer(offered);
            twin.offer(offered);
            if (i % 250 == 249) {
                int subject = i % 7;
                buffer.removeSubject("subject-" + subject);
                twin.removeSubject("subject-" + subject);
            }
            Map<Integer, Integer> recount = new TreeMap<>();
            buffer.items().forEach(it -> recount.merge(it.task(), 1, Integer::sum));
            assertEquals(recount, buffer.countPerTask(), "after offer " + i);
            if (i % 10 == 0) {
                Map<Integer, Integer> plan = new java.util.LinkedHashMap<>();
                for (int task = i / 300; task >= 0; task--) { // newest first: the order is the plan's, not the tasks'
                    plan.put(task, plans.nextInt(0, 12));
                }
                plan.put(99, 3); // a task with nothing stored draws nothing
                java.util.List<ReplayItem<Integer>> taskByTask = new java.util.ArrayList<>();
                plan.forEach((task, count) -> taskByTask.addAll(twin.sample(task, count)));
                assertEquals(taskByTask, buffer.sample(plan), "plan " + plan);
            }
        }
        buffer.reset(buffer.seen(), buffer.randomState());
        assertEquals(Map.of(), buffer.countPerTask());
        buffer.restore(item(1, 4, 0, 10), 2_000);
        assertEquals(Map.of(4, 1), buffer.countPerTask());
    }

    @Test
    void theBufferNeverExceedsItsCapacityInItemsOrBytes() {
        ReplayBuffer<Integer> byCount = new ReplayBuffer<>(50, Long.MAX_VALUE, new ReservoirPolicy(), 1);
        ReplayBuffer<Integer> byBytes = new ReplayBuffer<>(1000, 5_000, new ReservoirPolicy(), 1);
        for (int i = 0; i < 2_000; i++) {
            byCount.offer(item(i, i / 400, i % 10, 100));
            byBytes.offer(item(i, i / 400, i % 10, 90 + i % 30));
            assertTrue(byCount.size() <= 50);
            assertTrue(byBytes.bytes() <= 5_000, "bytes " + byBytes.bytes());
        }
        assertEquals(50, byCount.size());
    }

    @Test
    void reservoirKeepsEveryOfferedItemWithTheSameProbability() {
        int[] kept = new int[10];
        for (long seed = 0; seed < 400; seed++) {
            ReplayBuffer<Integer> buffer = new ReplayBuffer<>(20, Long.MAX_VALUE, new ReservoirPolicy(), seed);
            for (int i = 0; i < 100; i++) {
                buffer.offer(item(i, 0, 0, 1));
            }
            buffer.items().forEach(it -> kept[it.payload() / 10]++);
        }
        // Each decile of the stream should hold 20% of 20 slots x 400 runs / 10 deciles = 800.
        for (int decile = 0; decile < 10; decile++) {
            assertTrue(Math.abs(kept[decile] - 800) < 120, "decile " + decile + " kept " + kept[decile]);
        }
    }

    @Test
    void classBalancedPolicyEqualisesClassesEvenForASkewedStream() {
        ReplayBuffer<Integer> buffer = new ReplayBuffer<>(30, Long.MAX_VALUE, StoragePolicy.named("class-balanced"), 3);
        for (int i = 0; i < 3_000; i++) {
            int label = i < 2_500 ? 0 : (i % 2 == 0 ? 1 : 2); // class 0 dominates early
            buffer.offer(item(i, 0, label, 1));
        }
        Map<Integer, Integer> perClass = new HashMap<>();
        buffer.items().forEach(it -> perClass.merge(it.label(), 1, Integer::sum));
        assertEquals(Map.of(0, 10, 1, 10, 2, 10), perClass);
    }

    @Test
    void erasureByExampleAndBySubjectPurgesTheBuffer() {
        ReplayBuffer<Integer> buffer = new ReplayBuffer<>(100, Long.MAX_VALUE, new ReservoirPolicy(), 5);
        for (int i = 0; i < 70; i++) {
            buffer.offer(item(i, 0, 0, 10));
        }
        assertEquals(10, buffer.removeSubject("subject-3").size());
        assertTrue(buffer.items().stream().noneMatch(it -> it.subjectId().equals("subject-3")));
        assertEquals(1, buffer.removeExample("ex-0").size());
        assertEquals(59, buffer.size());
        assertEquals(590, buffer.bytes());
    }

    @Test
    void powerLawWeightsAreHandComputed() {
        TreeMap<Integer, Integer> stored = new TreeMap<>(Map.of(0, 500, 1, 500, 2, 500, 3, 500));
        // current task 3: weights 4^-0.5 = 0.5, 3^-0.5 = 0.5774, 2^-0.5 = 0.7071, sum 1.7845
        // budget 100 -> 28.02, 32.36, 39.63 -> floors 28, 32, 39, the one left to the largest remainder (task 2)
        assertEquals(Map.of(0, 28, 1, 32, 2, 40), RehearsalScheduler.powerLaw(0.5).plan(3, stored, 100));
        // d = 0 is uniform over earlier tasks
        assertEquals(Map.of(0, 10, 1, 10, 2, 10), RehearsalScheduler.powerLaw(0).plan(3, stored, 30));
        // nothing earlier, nothing to rehearse; what is stored caps the plan
        assertEquals(Map.of(), RehearsalScheduler.powerLaw(0.5).plan(0, stored, 100));
        assertEquals(Map.of(0, 3), RehearsalScheduler.powerLaw(0.5).plan(1, new TreeMap<>(Map.of(0, 3)), 10));
    }

    @Test
    void uniformFollowsWhatIsStoredAndNoneRehearsesNothing() {
        TreeMap<Integer, Integer> stored = new TreeMap<>(Map.of(0, 300, 1, 100));
        assertEquals(Map.of(0, 15, 1, 5), RehearsalScheduler.uniform().plan(2, stored, 20));
        assertEquals(Map.of(), RehearsalScheduler.none().plan(2, stored, 20));
    }

    @Test
    void badConfigurationsFailWithAClearMessage() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RehearsalScheduler.powerLaw(-0.5))
                .getMessage().contains(">= 0"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new ReplayBuffer<>(0, 10, new ReservoirPolicy(), 1)).getMessage().contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StoragePolicy.named("fifo"))
                .getMessage().contains("reservoir, class-balanced or task-balanced"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RehearsalScheduler.named("cyclic", 0.5))
                .getMessage().contains("none, uniform or power-law"));
    }
}
