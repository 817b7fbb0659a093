package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Predictor;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the processor relies on from every engine, run against each of them: learning and
 * unlearning keep the retained count, the predictor predicts as the learner does, the engine
 * declares its stores and says how it verified an erasure, and its state round-trips.
 */
abstract class LearningEngineContract {

    @TempDir
    Path dir;

    /** The configuration (settings as key, value pairs) that selects the engine under test. */
    protected abstract String[] settings();

    private LetheConfig config() {
        return TestData.config(dir, settings());
    }

    /** An engine on in-memory stores for everything its capabilities name. */
    LearningEngine engine(LetheConfig config) {
        return StreamedEngine.create(config).engine;
    }

    @Test
    void learningAndUnlearningKeepTheCountAndThePredictorAgrees() {
        LetheConfig config = config();
        StreamedEngine streamed = StreamedEngine.create(config);
        LearningEngine engine = streamed.engine;
        List<TrainingExample> data = TestData.examples(3, 0, 80, 8);
        List<TrainingExample> erased = data.stream().filter(e -> e.getSubjectId().equals("subject-2")).toList();
        streamed.learn(data);
        assertEquals(data.size(), engine.learner().retainedExamples());
        streamed.unlearn(erased);
        assertEquals(data.size() - erased.size(), engine.learner().retainedExamples(), "unlearning shrinks the count");

        LearningEngine.Verification verification = engine.verify(erased.size());
        boolean exact = LearningEngines.capabilities(config).exact();
        boolean byConstruction = verification.method().startsWith("exact-"); // retrained without the data
        if (verification.residual() != null) {
            assertTrue(exact, "only an exact engine proves with a residual: " + verification);
        } else if (!byConstruction) {
            assertFalse(exact, "an exact engine proves it with a residual or retrains without the data: " + verification);
            assertFalse(verification.metrics().isEmpty(), "an approximate run is measured: " + verification);
        }
        assertEquals(verification.residual() != null, verification.metrics().isEmpty(),
                "a residual is the proof; everything else carries its measurements: " + verification);
        assertTrue(verification.description().contains("removed " + erased.size()), verification.description());

        LabeledBatch probe = ExampleBatches.of(TestData.examples(4, 100, 20, 4), TestData.DIM);
        Predictor predictor = engine.predictor();
        assertArrayEquals(engine.learner().predict(probe.inputs()), predictor.predict(probe.inputs()),
                "the checkpoint predicts what the learner predicts");
        assertFalse(engine.kind().isBlank());
        assertTrue(engine.describe().containsKey("learner"), "the lineage names the learner: " + engine.describe());
        assertFalse(engine.seeds().isEmpty(), "the lineage names the seeds");
    }

    @Test
    void stateRoundTripsIntoAFreshEngine() throws Exception {
        LetheConfig config = config();
        LearningEngine engine = engine(config);
        engine.learn(TestData.examples(5, 0, 64, 8), true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        engine.learner().writeState(new DataOutputStream(bytes));

        LearningEngine restored = engine(config);
        restored.learner().readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        LabeledBatch probe = ExampleBatches.of(TestData.examples(6, 100, 20, 4), TestData.DIM);
        assertEquals(engine.learner().retainedExamples(), restored.learner().retainedExamples());
        assertEquals(engine.learner().scores(probe.inputs()), restored.learner().scores(probe.inputs()));
        assertNotNull(restored.predictor());
    }
}
