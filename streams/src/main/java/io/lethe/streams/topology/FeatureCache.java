package io.lethe.streams.topology;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float32 features of examples the analytic learner holds, kept in memory so that unlearning
 * them does not compute them again: recomputing them was about half of a class erasure's learner
 * time. The feature map gives every image the same numbers whatever its batch, so a kept row is
 * exactly what recomputation would give and unlearning stays exact.
 *
 * <p>Rows live in chunks of a few megabytes (arrays the garbage collector allocates apart and never
 * copies), up to a byte budget; when it is full, the oldest rows make room and their examples are
 * featurised again if they are ever unlearned. A row leaves when its example is unlearned: the cache
 * holds data derived from the example, in this process's memory only, and an erasure takes it out
 * (zeroed) with the model's share.
 */
final class FeatureCache {

    private static final long CHUNK_BYTES = 8L << 20;

    private final int width;
    private final int rowsPerChunk;
    private final long capacity;
    private final List<float[]> chunks = new ArrayList<>();
    /** Example key to row slot, oldest first. */
    private final LinkedHashMap<String, Long> slots = new LinkedHashMap<>();
    private final ArrayDeque<Long> free = new ArrayDeque<>();
    private long handedOut;

    /** A cache of rows of {@code width} floats, using at most about {@code budgetBytes}. */
    FeatureCache(int width, long budgetBytes) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be positive: " + width);
        }
        this.width = width;
        this.rowsPerChunk = (int) Math.max(1, CHUNK_BYTES / (4L * width));
        this.capacity = budgetBytes / (4L * width);
    }

    /** Keeps row {@code row} of {@code rows} (row-major, {@code width} per row) under {@code key}. */
    void put(String key, float[] rows, int row) {
        put(key, java.nio.FloatBuffer.wrap(rows), row);
    }

    /**
     * Keeps row {@code row} of {@code rows} (row-major, {@code width} per row) under {@code key}, read
     * from a buffer: the learner's features in their own native memory, not copied out first.
     */
    void put(String key, java.nio.FloatBuffer rows, int row) {
        if (capacity == 0) {
            return;
        }
        Long slot = slots.get(key);
        if (slot == null) {
            slot = freeSlot();
            slots.put(key, slot);
        }
        rows.get(row * width, chunkOf(slot), offsetOf(slot), width);
    }

    /** Copies the row kept under {@code key} into row {@code row} of {@code out}; false if none is kept. */
    boolean copy(String key, float[] out, int row) {
        Long slot = slots.get(key);
        if (slot == null) {
            return false;
        }
        System.arraycopy(chunkOf(slot), offsetOf(slot), out, row * width, width);
        return true;
    }

    /** Forgets the row of {@code key}, if any: its floats are zeroed at once and its slot reused. */
    void remove(String key) {
        Long slot = slots.remove(key);
        if (slot != null) {
            java.util.Arrays.fill(chunkOf(slot), offsetOf(slot), offsetOf(slot) + width, 0f);
            free.push(slot);
        }
    }

    int size() {
        return slots.size();
    }

    private float[] chunkOf(long slot) {
        return chunks.get((int) (slot / rowsPerChunk));
    }

    private int offsetOf(long slot) {
        return (int) (slot % rowsPerChunk) * width;
    }

    private long freeSlot() {
        if (!free.isEmpty()) {
            return free.pop();
        }
        if (handedOut < capacity) {
            long slot = handedOut++;
            if (slot / rowsPerChunk >= chunks.size()) {
                long rows = Math.min(rowsPerChunk, capacity - (long) chunks.size() * rowsPerChunk);
                chunks.add(new float[(int) rows * width]);
            }
            return slot;
        }
        Iterator<Map.Entry<String, Long>> oldest = slots.entrySet().iterator();
        long slot = oldest.next().getValue();
        oldest.remove();
        return slot;
    }
}
