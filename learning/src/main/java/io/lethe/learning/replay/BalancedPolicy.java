package io.lethe.learning.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * Keeps groups (classes or tasks) balanced: an incoming item evicts a random member of the largest
 * group, unless its own group is already the largest (then it is dropped).
 */
public final class BalancedPolicy implements StoragePolicy {

    private final ToIntFunction<ReplayItem<?>> group;

    public BalancedPolicy(ToIntFunction<ReplayItem<?>> group) {
        this.group = group;
    }

    @Override
    public int victim(List<? extends ReplayItem<?>> items, ReplayItem<?> incoming, long seen, RandomGenerator random) {
        Map<Integer, List<Integer>> members = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            members.computeIfAbsent(group.applyAsInt(items.get(i)), g -> new ArrayList<>()).add(i);
        }
        int largest = Integer.MIN_VALUE;
        int largestSize = -1;
        for (Map.Entry<Integer, List<Integer>> entry : members.entrySet()) {
            int size = entry.getValue().size();
            if (size > largestSize || size == largestSize && entry.getKey() < largest) {
                largest = entry.getKey();
                largestSize = size;
            }
        }
        int own = members.getOrDefault(group.applyAsInt(incoming), List.of()).size();
        if (own >= largestSize) {
            return REJECT;
        }
        List<Integer> candidates = members.get(largest);
        return candidates.get(random.nextInt(candidates.size()));
    }
}
