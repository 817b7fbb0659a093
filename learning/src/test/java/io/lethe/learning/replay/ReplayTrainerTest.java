package io.lethe.learning.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lethe.learning.LabeledBatch;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ReplayTrainerTest {

    /** Records what each training step was given; the label doubles as the example's task here. */
    static final class RecordingLearner implements Rehearsable {
        final List<int[]> steps = new ArrayList<>();

        @Override
        public void learn(LabeledBatch batch) {
            steps.add(batch.labels());
        }

        @Override
        public void learn(LabeledBatch batch, int newExamples) {
            learn(batch);
        }

        @Override
        public io.lethe.learning.UnlearningResult unlearn(LabeledBatch batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public INDArray scores(INDArray inputs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int[] predict(INDArray inputs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int[] classes() {
            return new int[0];
        }

        @Override
        public long retainedExamples() {
            return 0;
        }

        @Override
        public Map<String, String> config() {
            return Map.of();
        }

        @Override
        public void writeState(DataOutputStream out) {
        }

        @Override
        public void readState(DataInputStream in) {
        }
    }

    private static List<ReplayItem<float[]>> batch(int task, int from, int n) {
        List<ReplayItem<float[]>> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(ReplayTrainer.item("e" + task + "-" + i, "s" + (i % 7), task, task, new float[] {i, task}));
        }
        return out;
    }

    @Test
    void eachStepIsTheBatchPlusTheBudgetOfReplayedExamples() {
        RecordingLearner learner = new RecordingLearner();
        ReplayTrainer trainer = new RehearsalConfig("uniform", 0, 5, 50, 1 << 20, "reservoir", 0, 3).trainer(learner);
        trainer.learn(batch(0, 0, 10));
        assertEquals(10, learner.steps.get(0).length, "nothing to replay yet");
        trainer.learn(batch(1, 0, 10));
        assertEquals(15, learner.steps.get(1).length);
        assertEquals(5, trainer.replayedExamples());
    }

    @Test
    void aRehearsingNetworkCountsEachExampleOnce() {
        io.lethe.learning.gradient.NetworkLearner mlp = new io.lethe.learning.gradient.NetworkLearner(2, 4, 4, 0.1, 1, 1);
        ReplayTrainer trainer = new RehearsalConfig("uniform", 0, 6, 50, 1 << 20, "reservoir", 0, 3).trainer(mlp);
        for (int step = 0; step < 5; step++) {
            trainer.learn(batch(step % 4, step * 10, 10));
        }
        assertEquals(24, trainer.replayedExamples());
        assertEquals(50, mlp.retainedExamples(), "replayed rows are not new examples");
    }

    @Test
    void powerLawReplaysOnlyEarlierTasksInTheScheduledProportions() {
        RecordingLearner learner = new RecordingLearner();
        ReplayTrainer trainer = new RehearsalConfig("power-law", 0.5, 100, 3000, 1 << 24, "task-balanced", 0, 5)
                .trainer(learner);
        for (int task = 0; task < 3; task++) {
            trainer.learn(batch(task, 0, 200));
        }
        trainer.learn(batch(3, 200, 10));
        int[] last = learner.steps.get(learner.steps.size() - 1);
        Map<Integer, Integer> replayedPerTask = new HashMap<>();
        for (int i = 10; i < last.length; i++) {
            replayedPerTask.merge(last[i], 1, Integer::sum);
        }
        // after task 3: weights 4^-0.5, 3^-0.5, 2^-0.5 -> 100 * (0.5, 0.577, 0.707) / 1.784 = 28, 32, 40
        assertEquals(Map.of(0, 28, 1, 32, 2, 40), replayedPerTask);
    }

    @Test
    void bufferChangesMirrorTheBufferExactlyAndCapacityHolds() {
        ReplayTrainer trainer = new RehearsalConfig("uniform", 0, 8, 64, 64L * 100, "class-balanced", 0, 9)
                .trainer(new RecordingLearner());
        Map<String, ReplayItem<float[]>> mirror = new HashMap<>();
        for (int step = 0; step < 60; step++) {
            ReplayTrainer.BufferChange change = trainer.learn(batch(step % 4, step * 16, 16));
            change.added().forEach(i -> mirror.put(i.exampleId(), i));
            change.evicted().forEach(i -> mirror.remove(i.exampleId()));
            assertTrue(trainer.buffer().size() <= 64);
            assertTrue(trainer.buffer().bytes() <= 64L * 100);
        }
        assertEquals(trainer.buffer().items().stream().map(ReplayItem::exampleId).collect(Collectors.toSet()),
                mirror.keySet(), "applying every change to a store reproduces the buffer");
        List<ReplayItem<float[]>> forgotten = trainer.forget(i -> i.subjectId().equals("s3"));
        assertTrue(forgotten.stream().allMatch(i -> i.subjectId().equals("s3")));
        assertTrue(trainer.buffer().items().stream().noneMatch(i -> i.subjectId().equals("s3")));
    }

    @Test
    void reLearningCommittedInputLeavesTheBufferAlone() {
        ReplayTrainer trainer = new RehearsalConfig("uniform", 0, 4, 20, 1 << 20, "reservoir", 0, 1)
                .trainer(new RecordingLearner());
        trainer.learn(batch(0, 0, 10));
        Set<String> before = trainer.buffer().items().stream().map(ReplayItem::exampleId).collect(Collectors.toSet());
        ReplayTrainer.BufferChange change = trainer.learn(batch(0, 10, 10), false);
        assertTrue(change.added().isEmpty() && change.evicted().isEmpty());
        assertEquals(before, trainer.buffer().items().stream().map(ReplayItem::exampleId).collect(Collectors.toSet()));
    }

    @Test
    void taskFreeStreamsUseStreamTimeAsTheTask() {
        ReplayTrainer trainer = new RehearsalConfig("power-law", 1, 4, 100, 1 << 20, "reservoir", 10, 1)
                .trainer(new RecordingLearner());
        for (int step = 0; step < 5; step++) {
            trainer.learn(batch(0, step * 10, 10)); // every example says task 0
        }
        assertEquals(Set.of(0, 1, 2, 3, 4), trainer.buffer().items().stream().map(ReplayItem::task)
                .collect(Collectors.toSet()), "pseudo-tasks are windows of 10 stream examples");
    }

    @Test
    void badConfigurationsFailWithTheirReason() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RehearsalConfig("power-law", -0.5, 10, 100, 1000, "reservoir", 0, 1)).getMessage()
                .contains("exponent"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RehearsalConfig("uniform", 0.5, 10, 0, 1000, "reservoir", 0, 1)).getMessage()
                .contains("capacity"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RehearsalConfig("uniform", 0.5, 10, 10, 1000, "fifo", 0, 1)).getMessage()
                .contains("unknown replay storage policy 'fifo'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RehearsalConfig("sometimes", 0.5, 10, 10, 1000, "reservoir", 0, 1)).getMessage()
                .contains("unknown rehearsal scheduler"));
    }
}
