package io.lethe.learning.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lethe.learning.StaleStateException;
import io.lethe.learning.SyntheticData;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A state whose sums hold conv features of the float64 era is refused as stale; a dense one of that era still reads. */
class AnalyticStateCompatibilityTest {

    private static byte[] stateWithMagic(FeatureMapSpec spec, int magic) throws Exception {
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(spec, 1.0);
        learner.learn(SyntheticData.batch(1, 20, 784, 3));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        learner.writeState(new DataOutputStream(bytes));
        byte[] state = bytes.toByteArray();
        ByteBuffer.wrap(state).putInt(0, magic);
        return state;
    }

    @Test
    void aFloat64ConvStateIsStaleAndADenseOneStillReads() throws Exception {
        int float64Era = 0x4c455231;
        FeatureMapSpec conv = FeatureMapSpec.mnistConv(4);
        AnalyticRidgeLearner fresh = new AnalyticRidgeLearner(conv, 1.0);
        assertThrows(StaleStateException.class, () -> fresh.readState(new DataInputStream(
                new ByteArrayInputStream(stateWithMagic(conv, float64Era)))));
        assertEquals(0, fresh.retainedExamples(), "nothing of the stale state was adopted");

        FeatureMapSpec dense = FeatureMapSpec.denseRelu(784, 64, 4);
        AnalyticRidgeLearner reader = new AnalyticRidgeLearner(dense, 1.0);
        reader.readState(new DataInputStream(new ByteArrayInputStream(stateWithMagic(dense, float64Era))));
        assertEquals(20, reader.retainedExamples());
    }
}
