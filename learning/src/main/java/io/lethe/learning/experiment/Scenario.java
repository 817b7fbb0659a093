package io.lethe.learning.experiment;

import java.util.List;

/**
 * A continual-learning scenario: tasks with their data, and the order in which the stream visits
 * them. A segment is a run of consecutive examples from one task; a task may recur (power-law
 * environment). {@code blockEnds} marks where each new task's block ends: the accuracy matrix gets
 * one row there.
 *
 * @param name e.g. split-mnist
 * @param description one line for tables and logs
 * @param tasks the tasks, index = task id
 * @param segments the stream, in order
 * @param blockEnds for each task n, the number of segments up to the end of its block
 */
public record Scenario(String name, String description, List<TaskData> tasks, List<Segment> segments,
                       List<Integer> blockEnds) {

    /** A run of examples from one task: indices into that task's training images. */
    public record Segment(int task, int[] indices) {
    }

    public Scenario {
        tasks = List.copyOf(tasks);
        segments = List.copyOf(segments);
        blockEnds = List.copyOf(blockEnds);
        if (blockEnds.size() != tasks.size()) {
            throw new IllegalArgumentException("one block end per task: " + tasks.size() + " tasks, "
                    + blockEnds.size() + " block ends");
        }
    }

    public long streamLength() {
        return segments.stream().mapToLong(s -> s.indices().length).sum();
    }
}
