package io.lethe.learning.replay;

import io.lethe.learning.LabeledBatch;

/**
 * A learner that can tell new examples from rehearsed ones in one training step, so that its count
 * of retained examples counts each example once however often it is replayed.
 */
public interface Rehearsable extends io.lethe.learning.Learner {

    /** Trains on the batch; only its first {@code newExamples} rows are new to the model. */
    void learn(LabeledBatch batch, int newExamples);

    /**
     * The stream moved on to a later task (called before that task's first step); strategies that
     * act at task boundaries (a regularisation anchor, a new frozen half) hook in here.
     */
    default void taskStarted(int task) {
    }

    /**
     * The current task's data has all been seen (an experiment knows; a stream learns it only when
     * the next task starts, through {@link #taskStarted}); {@code last}: no task follows. Strategies
     * that act once a task is over (swap in averaged weights, fine-tune at the very end) hook in here.
     */
    default void endOfTask(boolean last) {
    }
}
