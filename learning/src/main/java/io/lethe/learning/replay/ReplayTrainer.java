package io.lethe.learning.replay;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.NativeArrays;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Predicate;

/**
 * Continual learning with rehearsal: each training step is the incoming batch plus replayed
 * examples, as many per earlier task as the {@link RehearsalScheduler} plans; afterwards the batch is
 * offered to the {@link ReplayBuffer}, whose storage policy decides what stays. The same object runs
 * offline experiments and the streaming learner, so both share one code path.
 *
 * <p>Task-free streams: with {@code taskFreeWindow > 0} an item's task is replaced by the window of
 * stream time it was stored in (examples seen / window), so "time since stored" plays the role of
 * "time since the task was seen" in the power-law schedule.
 */
public final class ReplayTrainer {

    /** What one step changed in the buffer: the items now stored and those evicted (or never stored). */
    public record BufferChange(List<ReplayItem<float[]>> added, List<ReplayItem<float[]>> evicted) {
    }

    private final Rehearsable learner;
    private final ReplayBuffer<float[]> buffer;
    private final RehearsalScheduler scheduler;
    private final int budget;
    private final long taskFreeWindow;
    private long examplesSeen;
    private long replayedExamples;
    private int currentTask;

    public ReplayTrainer(Rehearsable learner, ReplayBuffer<float[]> buffer, RehearsalScheduler scheduler, int budget,
                         long taskFreeWindow) {
        if (budget < 0) {
            throw new IllegalArgumentException("the rehearsal budget must be >= 0 examples per step, got " + budget);
        }
        if (taskFreeWindow < 0) {
            throw new IllegalArgumentException("the task-free window must be >= 0 examples, got " + taskFreeWindow);
        }
        this.learner = learner;
        this.buffer = buffer;
        this.scheduler = scheduler;
        this.budget = budget;
        this.taskFreeWindow = taskFreeWindow;
    }

    /** Trains one step on the batch plus its rehearsal, then offers the batch to the buffer. */
    public BufferChange learn(List<ReplayItem<float[]>> batch) {
        return learn(batch, true);
    }

    /**
     * Trains one step on the batch plus its rehearsal; offers the batch to the buffer only if
     * {@code store} (a restart that re-learns committed input finds the buffer already holding what
     * it kept of it).
     */
    public BufferChange learn(List<ReplayItem<float[]>> batch, boolean store) {
        if (batch.isEmpty()) {
            return new BufferChange(List.of(), List.of());
        }
        List<ReplayItem<float[]>> scheduled = new ArrayList<>(batch.size());
        for (ReplayItem<float[]> item : batch) {
            int task = taskFreeWindow > 0 ? (int) (examplesSeen / taskFreeWindow) : item.task();
            if (task > currentTask) {
                learner.taskStarted(task);
            }
            currentTask = Math.max(currentTask, task);
            examplesSeen++;
            scheduled.add(task == item.task() ? item : new ReplayItem<>(item.exampleId(), item.subjectId(), task,
                    item.label(), item.sizeBytes(), item.payload()));
        }
        List<ReplayItem<float[]>> step = new ArrayList<>(scheduled);
        step.addAll(rehearsal());
        replayedExamples += step.size() - scheduled.size();
        learner.learn(toBatch(step), scheduled.size());
        if (!store) {
            return new BufferChange(List.of(), List.of());
        }

        List<ReplayItem<float[]>> evicted = new ArrayList<>();
        for (ReplayItem<float[]> item : scheduled) {
            evicted.addAll(buffer.offer(item));
        }
        Set<ReplayItem<float[]>> gone = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        gone.addAll(evicted);
        Set<ReplayItem<float[]>> offered = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        offered.addAll(scheduled);
        List<ReplayItem<float[]>> added = new ArrayList<>();
        for (ReplayItem<float[]> item : scheduled) {
            if (!gone.contains(item)) {
                added.add(item);
            }
        }
        // An item stored and evicted within the same step was never visible outside it.
        evicted.removeIf(offered::contains);
        return new BufferChange(added, evicted);
    }

    private List<ReplayItem<float[]>> rehearsal() {
        if (budget == 0 || buffer.size() == 0) {
            return List.of();
        }
        SortedMap<Integer, Integer> stored = buffer.countPerTask();
        return buffer.sample(scheduler.plan(currentTask, stored, budget));
    }

    /** The current task's data has all been seen ({@code last}: and no task follows). */
    public void endOfTask(boolean last) {
        learner.endOfTask(last);
    }

    /** Removes the selected items from the buffer (erasure) and returns them. */
    public List<ReplayItem<float[]>> forget(Predicate<ReplayItem<float[]>> selected) {
        return buffer.removeIf(selected);
    }

    /** Puts back an item that was stored before a restart, bypassing the storage policy. */
    public void restore(ReplayItem<float[]> item, long seen) {
        buffer.restore(item, seen);
        currentTask = Math.max(currentTask, item.task());
        examplesSeen = Math.max(examplesSeen, seen);
    }

    public ReplayBuffer<float[]> buffer() {
        return buffer;
    }

    public Rehearsable learner() {
        return learner;
    }

    public long examplesSeen() {
        return examplesSeen;
    }

    /**
     * Writes the buffer (every item with its ids, task, label and input), the buffer's counters and
     * random state, and this trainer's counters, so that {@link #readState} continues identically.
     */
    public void writeState(java.io.DataOutputStream out) throws java.io.IOException {
        out.writeLong(examplesSeen);
        out.writeLong(replayedExamples);
        out.writeInt(currentTask);
        out.writeLong(buffer.seen());
        out.writeLong(buffer.randomState());
        List<ReplayItem<float[]>> items = buffer.items();
        out.writeInt(items.size());
        for (ReplayItem<float[]> item : items) {
            out.writeUTF(item.exampleId());
            out.writeUTF(item.subjectId());
            out.writeInt(item.task());
            out.writeInt(item.label());
            out.writeInt(item.sizeBytes());
            out.writeInt(item.payload().length);
            for (float v : item.payload()) {
                out.writeFloat(v);
            }
        }
    }

    /** Replaces the buffer and counters by those {@link #writeState} wrote. */
    public void readState(java.io.DataInputStream in) throws java.io.IOException {
        examplesSeen = in.readLong();
        replayedExamples = in.readLong();
        currentTask = in.readInt();
        long seen = in.readLong();
        buffer.reset(seen, in.readLong());
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String exampleId = in.readUTF();
            String subjectId = in.readUTF();
            int task = in.readInt();
            int label = in.readInt();
            int size = in.readInt();
            float[] payload = new float[in.readInt()];
            for (int j = 0; j < payload.length; j++) {
                payload[j] = in.readFloat();
            }
            buffer.restore(new ReplayItem<>(exampleId, subjectId, task, label, size, payload), seen);
        }
    }

    /** Replayed examples trained on so far (the cost of rehearsal, in examples). */
    public long replayedExamples() {
        return replayedExamples;
    }

    /** Stacks the items' inputs into one batch. */
    public static LabeledBatch toBatch(List<ReplayItem<float[]>> items) {
        int dim = items.get(0).payload().length;
        float[] flat = new float[items.size() * dim];
        int[] labels = new int[items.size()];
        Set<Integer> lengths = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            float[] input = items.get(i).payload();
            lengths.add(input.length);
            System.arraycopy(input, 0, flat, i * dim, Math.min(dim, input.length));
            labels[i] = items.get(i).label();
        }
        if (lengths.size() != 1) {
            throw new IllegalArgumentException("inputs of different lengths in one batch: " + lengths);
        }
        return new LabeledBatch(NativeArrays.floatMatrix(flat, items.size(), dim), labels);
    }

    /** A replay item for an input, sized as stored (4 bytes per value plus its ids). */
    public static ReplayItem<float[]> item(String exampleId, String subjectId, int task, int label, float[] input) {
        int size = 4 * input.length + 2 * (exampleId.length() + subjectId.length()) + 16;
        return new ReplayItem<>(exampleId, subjectId, task, label, size, input);
    }
}
