package io.lethe.learning.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every metric against values computed by hand on one small sequence: three tasks, eight
 * evaluations, a 30-point stability gap on task 0 when task 1 starts (recovering two steps
 * later) and one on task 1 when task 2 starts.
 */
class ContinualMetricsTest {

    static final List<Evaluation> SEQUENCE = List.of(
            Evaluation.of(1, 0, 50),
            Evaluation.of(2, 0, 80),
            Evaluation.of(3, 0, 90),
            Evaluation.of(4, 1, 60, 30),
            Evaluation.of(5, 1, 70, 60),
            Evaluation.of(6, 1, 89.5, 80),
            Evaluation.of(7, 2, 85, 50, 20),
            Evaluation.of(8, 2, 88, 79.5, 70));

    private static <M extends ContinualMetric<?>> M feed(M metric, int count) {
        SEQUENCE.subList(0, count).forEach(metric::update);
        return metric;
    }

    @Test
    void minAccuracyIsTheAverageOfEachFinishedTasksWorstAccuracy() {
        assertTrue(feed(new MinAccuracy(), 3).result().isNaN(), "no task finished yet");
        assertEquals(60.0, feed(new MinAccuracy(), 6).result(), 1e-12);
        // task 0: min(60, 70, 89.5, 85, 88) = 60; task 1: min(50, 79.5) = 50
        assertEquals(55.0, feed(new MinAccuracy(), 8).result(), 1e-12);
    }

    @Test
    void accAndBwtAtTaskEndsComeFromTheLastEvaluationOfEachTask() {
        assertEquals(0, feed(new TaskEndAccuracy(), 3).result().tasksEnded(), "task 0 has not ended yet");
        TaskEndAccuracy.Result one = feed(new TaskEndAccuracy(), 4).result();
        assertEquals(1, one.tasksEnded());
        assertEquals(90.0, one.accuracy(), 1e-12, "R[0][0] = 90 (step 3)");
        assertTrue(Double.isNaN(one.backwardTransfer()), "no earlier task to look back on");
        TaskEndAccuracy.Result two = feed(new TaskEndAccuracy(), 8).result();
        // task 1 ended at step 6: R[1] = (89.5, 80); ACC = (89.5 + 80) / 2; BWT = R[1][0] - R[0][0] = 89.5 - 90
        assertEquals(2, two.tasksEnded());
        assertEquals(84.75, two.accuracy(), 1e-12);
        assertEquals(-0.5, two.backwardTransfer(), 1e-12);
        TaskEndAccuracy metric = feed(new TaskEndAccuracy(), 8);
        metric.reset();
        assertEquals(0, metric.result().tasksEnded());
    }

    @Test
    void worstCaseAccuracyWeighsTheCurrentTaskByOneOverK() {
        assertEquals(90.0, feed(new WorstCaseAccuracy(), 3).result(), 1e-12);
        assertEquals(80.0 / 2 + 0.5 * 60.0, feed(new WorstCaseAccuracy(), 6).result(), 1e-12);
        assertEquals(70.0 / 3 + (2.0 / 3) * 55.0, feed(new WorstCaseAccuracy(), 8).result(), 1e-12);
    }

    @Test
    void windowedForgettingAndPlasticity() {
        WindowedForgetting.Result r = feed(new WindowedForgetting(3), 8).result();
        assertEquals(30.0, r.forgettingPerTask().get(0), 1e-12); // window [80, 90, 60]
        assertEquals(30.0, r.forgettingPerTask().get(1), 1e-12); // window [60, 80, 50]
        assertEquals(30.0, r.forgetting(), 1e-12);
        assertEquals(40.0, r.plasticityPerTask().get(0), 1e-12); // 50 -> 90
        assertEquals(50.0, r.plasticityPerTask().get(1), 1e-12); // 30 -> 80
        assertEquals(50.0, r.plasticityPerTask().get(2), 1e-12); // 20 -> 70
        assertEquals((40.0 + 50.0 + 50.0) / 3, r.plasticity(), 1e-12);
        // A window of 2 sees only adjacent pairs: task 0's 90 -> 60 drop is still inside one.
        assertEquals(30.0, feed(new WindowedForgetting(2), 8).result().forgettingPerTask().get(0), 1e-12);
    }

    @Test
    void stabilityGapDepthAndRecoveryPerTransition() {
        List<StabilityGap.Gap> gaps = feed(new StabilityGap(1.0), 8).result();
        assertEquals(List.of(
                new StabilityGap.Gap(4, 1, 0, 90, 60, 30, 2),
                new StabilityGap.Gap(7, 2, 0, 89.5, 85, 4.5, -1),
                new StabilityGap.Gap(7, 2, 1, 80, 50, 30, 1)), gaps);
    }

    @Test
    void aDipThatComesAfterTheFirstEvaluationStillCountsAndRecoveryIsMeasuredFromTheTransition() {
        StabilityGap gap = new StabilityGap(1.0);
        gap.update(Evaluation.of(0, 0, 90));
        gap.update(Evaluation.of(10, 1, 90, 5));   // transition; still within 1 point
        gap.update(Evaluation.of(20, 1, 80, 40));  // the dip comes late
        gap.update(Evaluation.of(30, 1, 89.5, 70)); // back within 1 point: 20 steps after the transition
        assertEquals(List.of(new StabilityGap.Gap(10, 1, 0, 90, 80, 10, 20)), gap.result());
        StabilityGap flat = new StabilityGap(1.0);
        flat.update(Evaluation.of(0, 0, 90));
        flat.update(Evaluation.of(10, 1, 89.5, 5));
        assertEquals(0, flat.result().get(0).recoverySteps(), "never left the band: recovery 0");
    }

    @Test
    void accuracyMatrixAccBwtFwt() {
        AccuracyMatrix r = new AccuracyMatrix(3);
        double[][] values = {{90, 10, 12}, {89.5, 80, 15}, {88, 79.5, 70}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                r.set(i, j, values[i][j]);
            }
        }
        assertEquals((88 + 79.5 + 70) / 3, r.accuracy(), 1e-12);
        assertEquals(((88 - 90) + (79.5 - 80)) / 2.0, r.backwardTransfer(), 1e-12);
        assertEquals(((10 - 9) + (15 - 11)) / 2.0, r.forwardTransfer(new double[] {10, 9, 11}), 1e-12);
    }

    @Test
    void resetForgetsEverything() {
        MinAccuracy m = feed(new MinAccuracy(), 8);
        m.reset();
        assertTrue(m.result().isNaN());
        StabilityGap g = feed(new StabilityGap(1.0), 8);
        g.reset();
        assertTrue(g.result().isEmpty());
    }
}
