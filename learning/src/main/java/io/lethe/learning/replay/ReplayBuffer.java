package io.lethe.learning.replay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A bounded replay buffer: at most {@code maxItems} items and {@code maxBytes} bytes, never more;
 * what stays is the storage policy's choice. Supports removal by example id and by subject, so an
 * erasure purges it.
 */
public final class ReplayBuffer<T> {

    private final int maxItems;
    private final long maxBytes;
    private final StoragePolicy policy;
    private SplitMixRandom random;
    private final List<ReplayItem<T>> items = new ArrayList<>();
    /** Items per task, kept with every change: the trainer asks on every step, and a recount scanned the whole buffer. */
    private final TreeMap<Integer, Integer> perTask = new TreeMap<>();
    private long bytes;
    private long seen;

    public ReplayBuffer(int maxItems, long maxBytes, StoragePolicy policy, long seed) {
        if (maxItems < 1) {
            throw new IllegalArgumentException("replay capacity must be at least 1 example, got " + maxItems);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("replay capacity must be at least 1 byte, got " + maxBytes);
        }
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
        this.policy = policy;
        this.random = new SplitMixRandom(seed);
    }

    /** Offers an item; returns the items evicted to make room (the item itself if it was not stored). */
    public List<ReplayItem<T>> offer(ReplayItem<T> item) {
        seen++;
        if (item.sizeBytes() > maxBytes) {
            return List.of(item);
        }
        List<ReplayItem<T>> evicted = new ArrayList<>();
        if (items.size() >= maxItems) {
            int victim = policy.victim(items, item, seen, random);
            if (victim == StoragePolicy.REJECT) {
                return List.of(item);
            }
            evicted.add(removeAt(victim));
        }
        while (bytes + item.sizeBytes() > maxBytes && !items.isEmpty()) {
            int victim = policy.victim(items, item, seen, random);
            evicted.add(removeAt(victim == StoragePolicy.REJECT ? random.nextInt(items.size()) : victim));
        }
        add(item);
        return evicted;
    }

    /**
     * Puts back an item stored before a restart, bypassing the policy; {@code seen} restores the
     * count of offers (reservoir sampling depends on it). Capacity still holds: a restored item that
     * does not fit is refused.
     */
    public void restore(ReplayItem<T> item, long seenSoFar) {
        if (items.size() >= maxItems || bytes + item.sizeBytes() > maxBytes) {
            throw new IllegalStateException("restoring " + item.exampleId() + " would exceed the buffer's capacity ("
                    + maxItems + " examples, " + maxBytes + " bytes)");
        }
        add(item);
        seen = Math.max(seen, seenSoFar);
    }

    /** The random state of eviction and sampling (see {@link SplitMixRandom#state()}). */
    public long randomState() {
        return random.state();
    }

    /**
     * Empties the buffer and sets its counters as they were written: items are then put back with
     * {@link #restore}. Used when a learner's state is read from a snapshot.
     */
    public void reset(long seenSoFar, long randomState) {
        items.clear();
        perTask.clear();
        bytes = 0;
        seen = seenSoFar;
        random = new SplitMixRandom(randomState);
    }

    /** Items offered so far. */
    public long seen() {
        return seen;
    }

    public int maxItems() {
        return maxItems;
    }

    public long maxBytes() {
        return maxBytes;
    }

    private void add(ReplayItem<T> item) {
        items.add(item);
        bytes += item.sizeBytes();
        perTask.merge(item.task(), 1, Integer::sum);
    }

    private ReplayItem<T> removeAt(int index) {
        ReplayItem<T> removed = items.get(index);
        int last = items.size() - 1;
        items.set(index, items.get(last));
        items.remove(last);
        bytes -= removed.sizeBytes();
        perTask.computeIfPresent(removed.task(), (task, n) -> n == 1 ? null : n - 1);
        return removed;
    }

    /** Removes every item the predicate selects and returns them. */
    public List<ReplayItem<T>> removeIf(Predicate<ReplayItem<T>> selected) {
        List<ReplayItem<T>> removed = new ArrayList<>();
        for (int i = items.size() - 1; i >= 0; i--) {
            if (selected.test(items.get(i))) {
                removed.add(removeAt(i));
            }
        }
        return removed;
    }

    public List<ReplayItem<T>> removeSubject(String subjectId) {
        return removeIf(item -> item.subjectId().equals(subjectId));
    }

    public List<ReplayItem<T>> removeExample(String exampleId) {
        return removeIf(item -> item.exampleId().equals(exampleId));
    }

    /** Up to {@code count} distinct items of the given task, drawn uniformly. */
    public List<ReplayItem<T>> sample(int task, int count) {
        return sample(Map.of(task, count));
    }

    /**
     * For each task in the plan's order, up to its count of distinct items of that task, drawn
     * uniformly: the same draws as {@link #sample(int, int)} called task by task in that order, from
     * one pass over the buffer instead of one per task.
     */
    public List<ReplayItem<T>> sample(Map<Integer, Integer> countByTask) {
        // The plan names a few tasks: a scan of their ids per item costs less than a boxed map lookup.
        int[] tasks = countByTask.keySet().stream().mapToInt(Integer::intValue).toArray();
        List<List<ReplayItem<T>>> ofTask = new ArrayList<>(tasks.length);
        for (int j = 0; j < tasks.length; j++) {
            ofTask.add(new ArrayList<>());
        }
        for (ReplayItem<T> item : items) {
            int task = item.task();
            for (int j = 0; j < tasks.length; j++) {
                if (tasks[j] == task) {
                    ofTask.get(j).add(item);
                    break;
                }
            }
        }
        List<ReplayItem<T>> drawn = new ArrayList<>();
        int j = 0;
        for (int wanted : countByTask.values()) { // the same order as its keys
            List<ReplayItem<T>> candidates = ofTask.get(j++);
            int count = Math.min(wanted, candidates.size());
            for (int i = 0; i < count; i++) {
                Collections.swap(candidates, i, i + random.nextInt(candidates.size() - i));
            }
            drawn.addAll(candidates.subList(0, count));
        }
        return drawn;
    }

    /** Items stored per task (a copy; called every training step). */
    public SortedMap<Integer, Integer> countPerTask() {
        return new TreeMap<>(perTask);
    }

    public List<ReplayItem<T>> items() {
        return List.copyOf(items);
    }

    public int size() {
        return items.size();
    }

    public long bytes() {
        return bytes;
    }
}
