package io.lethe.learning.strategy;

import static io.lethe.learning.strategy.StrategyFixtures.flat;
import static io.lethe.learning.strategy.StrategyFixtures.learner;
import static io.lethe.learning.strategy.StrategyFixtures.task;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

class PredictionDistillationTest {

    @Test
    void withoutATeacherOrWithTheTeacherItselfTheStepIsPlainSgd() {
        StrategyLearner distilled = learner(new PredictionDistillation(1.0, 2.0));
        StrategyLearner plain = learner(StrategyFixtures.none());
        LabeledBatch first = task(0, 32, 1);
        distilled.learn(first);
        plain.learn(first);
        assertArrayEquals(flat(plain), flat(distilled), "no teacher before a task has ended");
        distilled.endOfTask(false);
        plain.endOfTask(false);
        LabeledBatch second = task(1, 32, 2);
        distilled.learn(second);
        plain.learn(second);
        // At the first step after the task, student and teacher are one network: KL and its gradient are 0.
        assertArrayEquals(flat(plain), flat(distilled), 1e-6f);
    }

    @Test
    void theStudentKeepsPredictingWhatTheTeacherPredictedOnTheOldTask() {
        StrategyLearner distilled = learner(new PredictionDistillation(1.0, 2.0));
        StrategyLearner plain = learner(StrategyFixtures.none());
        LabeledBatch old = task(0, 64, 3);
        for (StrategyLearner l : new StrategyLearner[] {distilled, plain}) {
            for (int step = 0; step < 10; step++) {
                l.learn(old);
            }
            l.endOfTask(false);
        }
        INDArray teacher = plain.network().network().output(old.inputs(), false);
        LabeledBatch next = task(1, 32, 4);
        for (int step = 0; step < 30; step++) {
            distilled.learn(next);
            plain.learn(next);
        }
        double distilledDrift = drift(teacher, distilled.network().network().output(old.inputs(), false));
        double plainDrift = drift(teacher, plain.network().network().output(old.inputs(), false));
        assertTrue(distilledDrift < 0.8 * plainDrift, "KL(teacher || student) on the old task: distilled "
                + distilledDrift + ", plain " + plainDrift);
    }

    private static double drift(INDArray teacher, INDArray student) {
        INDArray kl = teacher.mul(Transforms.log(teacher.add(1e-9)).subi(Transforms.log(student.add(1e-9))));
        return kl.sumNumber().doubleValue() / teacher.rows();
    }
}
