package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.Learner;
import io.lethe.learning.Predictor;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.privacy.SubjectKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.junit.jupiter.api.Test;

/** The rule of {@link BackgroundLearning}: a batch learns beside the caller; every other call waits for it. */
class BackgroundLearningTest {

    /** Records what it was asked, on which thread; a learn can be held until released. */
    private static final class RecordingEngine implements LearningEngine {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch learning = new CountDownLatch(1);
        volatile Thread learnedOn;
        volatile boolean hold;
        volatile RuntimeException failure;

        @Override
        public void learn(List<TrainingExample> examples, boolean fresh) {
            learnedOn = Thread.currentThread();
            learning.countDown();
            if (hold) {
                await(release);
            }
            if (failure != null) {
                throw failure;
            }
            calls.add("learn " + examples.size() + (fresh ? "" : " again"));
        }

        @Override
        public void unlearn(List<TrainingExample> examples) {
            calls.add("unlearn " + examples.size());
        }

        @Override
        public void init(ProcessorContext<?, ?> context, SubjectKeys keys) {
        }

        @Override
        public Verification verify(int removed) {
            calls.add("verify");
            return new Verification("none", 0.0, "", Map.of());
        }

        @Override
        public void onIdle() {
            calls.add("idle");
        }

        @Override
        public Predictor predictor() {
            calls.add("predictor");
            return null;
        }

        @Override
        public String kind() {
            return "recording";
        }

        @Override
        public int batchSize() {
            return 2;
        }

        @Override
        public Map<String, String> describe() {
            return Map.of();
        }

        @Override
        public Learner learner() {
            calls.add("learner");
            return null;
        }

        @Override
        public Map<String, Long> seeds() {
            return Map.of();
        }

        @Override
        public void warmUp() {
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static List<TrainingExample> examples(int n) {
        List<TrainingExample> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(TrainingExample.newBuilder().setExampleId("e" + i).setSubjectId("s").setTask(0).setLabel(0)
                    .setPixels(null).setFeatures(List.of(0f)).setEventTime(Instant.EPOCH).build());
        }
        return list;
    }

    @Test
    void aBatchLearnsOnItsOwnThreadAndEveryOtherUseOfTheModelWaitsForIt() throws Exception {
        Map<String, Consumer<BackgroundLearning>> uses = Map.of("unlearn 1", b -> b.unlearn(examples(1)),
                "verify", b -> b.verify(1), "idle", BackgroundLearning::onIdle, "predictor", BackgroundLearning::predictor,
                "learner", BackgroundLearning::learner);
        for (var use : uses.entrySet()) {
            RecordingEngine engine = new RecordingEngine();
            engine.hold = true;
            try (BackgroundLearning background = new BackgroundLearning(engine, "lethe-learner-test")) {
                List<TrainingExample> batch = examples(3);
                background.learn(batch, true);
                batch.clear(); // the caller reuses its list, as ExampleLearning does
                await(engine.learning);
                assertEquals("lethe-learner-test", engine.learnedOn.getName());

                Thread caller = new Thread(() -> use.getValue().accept(background));
                caller.start();
                caller.join(300);
                assertTrue(caller.isAlive(), use.getKey() + " must wait for the batch in flight");
                assertTrue(engine.calls.isEmpty(), engine.calls.toString());
                engine.release.countDown();
                caller.join(10_000);
                assertFalse(caller.isAlive());
                assertEquals(List.of("learn 3", use.getKey()), engine.calls, "the whole batch first, then the call");
            }
        }
    }

    @Test
    void aRestartsReplayLearnsInlineAndAFailedBatchIsThrownAtTheNextCall() {
        RecordingEngine engine = new RecordingEngine();
        try (BackgroundLearning background = new BackgroundLearning(engine, "lethe-learner-test")) {
            background.learn(examples(2), false);
            assertSame(Thread.currentThread(), engine.learnedOn);
            assertEquals(List.of("learn 2 again"), engine.calls);

            IllegalStateException broken = new IllegalStateException("not positive definite");
            engine.failure = broken;
            background.learn(examples(2), true);
            assertSame(broken, assertThrows(IllegalStateException.class, () -> background.verify(2)));
            engine.failure = null;
            background.verify(0); // reported once: the learner goes on
            assertEquals(List.of("learn 2 again", "verify"), engine.calls);
        }
    }
}
