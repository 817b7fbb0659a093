package io.lethe.learning.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.StaleStateException;
import io.lethe.learning.SyntheticData;
import io.lethe.learning.feature.FeatureMapSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * States of earlier layouts: one whose sums hold conv features of the float64 era is refused as
 * stale, a dense one of that era still reads, and so does the layout before R became optional. A
 * state written while R waits for a refresh leaves R out and is still exact after it is read.
 */
class AnalyticStateCompatibilityTest {

    private static final int LER1 = 0x4c455231;
    private static final int LER2 = 0x4c455232;

    private static byte[] written(AnalyticRidgeLearner learner) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        learner.writeState(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static AnalyticRidgeLearner read(FeatureMapSpec spec, byte[] state) throws Exception {
        AnalyticRidgeLearner reader = new AnalyticRidgeLearner(spec, 1.0);
        reader.readState(new DataInputStream(new ByteArrayInputStream(state)));
        return reader;
    }

    /** The learner's state in the layout LER1 and LER2 used: every matrix through ND4J's writer, R always. */
    private static byte[] earlierLayout(FeatureMapSpec spec, AnalyticRidgeLearner learner, int magic) throws Exception {
        learner.refresh(); // that layout always held a current R
        AnalyticRidgeState state = AnalyticRidgeState.read(new DataInputStream(new ByteArrayInputStream(
                written(learner))), spec, learner.featureDim(), 1.0, "test");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        AnalyticRidgeState.writeHeader(out, spec, learner.featureDim(), 1.0);
        state.columns().write(out);
        out.writeLong(state.retained());
        for (INDArray m : new INDArray[] {state.gram(), state.inverse(), state.cross(), state.head()}) {
            Nd4j.write(m, out);
        }
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void aFloat64ConvStateIsStaleAndADenseOneStillReads() throws Exception {
        FeatureMapSpec conv = FeatureMapSpec.mnistConv(4);
        AnalyticRidgeLearner convLearner = new AnalyticRidgeLearner(conv, 1.0);
        convLearner.learn(SyntheticData.batch(1, 20, 784, 3));
        byte[] staleConv = earlierLayout(conv, convLearner, LER1);
        AnalyticRidgeLearner fresh = new AnalyticRidgeLearner(conv, 1.0);
        assertThrows(StaleStateException.class, () -> fresh.readState(new DataInputStream(
                new ByteArrayInputStream(staleConv))));
        assertEquals(0, fresh.retainedExamples(), "nothing of the stale state was adopted");

        FeatureMapSpec dense = FeatureMapSpec.denseRelu(784, 64, 4);
        AnalyticRidgeLearner denseLearner = new AnalyticRidgeLearner(dense, 1.0);
        denseLearner.learn(SyntheticData.batch(1, 20, 784, 3));
        assertEquals(20, read(dense, earlierLayout(dense, denseLearner, LER1)).retainedExamples());
    }

    @Test
    void theLayoutBeforeThisOneReadsToTheSameModel() throws Exception {
        FeatureMapSpec dense = FeatureMapSpec.denseRelu(784, 64, 4);
        AnalyticRidgeLearner learner = new AnalyticRidgeLearner(dense, 1.0);
        learner.learn(SyntheticData.batch(2, 50, 784, 4));
        AnalyticRidgeLearner reader = read(dense, earlierLayout(dense, learner, LER2));
        LabeledBatch probe = SyntheticData.batch(3, 10, 784, 4);
        assertEquals(50, reader.retainedExamples());
        assertFalse(reader.inverseBehind(), "that layout's R is adopted as it is");
        assertEquals(0, learner.scores(probe.inputs()).distance2(reader.scores(probe.inputs())), 0.0);
    }

    @Test
    void aLearnerThatLearnedNothingRoundTrips() throws Exception {
        FeatureMapSpec dense = FeatureMapSpec.denseRelu(784, 64, 4);
        AnalyticRidgeLearner reader = read(dense, written(new AnalyticRidgeLearner(dense, 1.0)));
        assertEquals(0, reader.retainedExamples());
        assertFalse(reader.inverseBehind());
        reader.learn(SyntheticData.batch(6, 10, 784, 3)); // its G, R and empty Q and W are usable
        assertEquals(10, reader.retainedExamples());
    }

    @Test
    void aStateWrittenWhileRIsBehindLeavesItOutAndUnlearnsExactlyAfterReading() throws Exception {
        FeatureMapSpec dense = FeatureMapSpec.denseRelu(784, 64, 4);
        LabeledBatch data = SyntheticData.batch(4, 200, 784, 4);
        AnalyticRidgeLearner behind = new AnalyticRidgeLearner(dense, 1.0);
        behind.learn(data); // 200 >= d / 2: R waits for a re-inversion
        assertTrue(behind.inverseBehind());
        byte[] withoutR = written(behind);
        assertTrue(behind.inverseBehind(), "writing the state does not re-invert R");
        AnalyticRidgeLearner current = new AnalyticRidgeLearner(dense, 1.0);
        current.learn(data);
        current.refresh();
        byte[] withR = written(current);
        int d = current.featureDim();
        assertEquals((long) d * d * Double.BYTES + Character.BYTES + 2 * Integer.BYTES, withR.length - withoutR.length,
                "R's d x d float64s and their order and shape are what the two states differ by");

        AnalyticRidgeLearner reader = read(dense, withoutR);
        assertTrue(reader.inverseBehind(), "R is re-inverted when next needed");
        LabeledBatch removed = SyntheticData.slice(data, 0, 30);
        double residual = reader.unlearn(removed).residual();
        assertTrue(residual < 1e-9, "exact after the re-inversion: " + residual);

        AnalyticRidgeLearner neverWritten = new AnalyticRidgeLearner(dense, 1.0); // same column order
        neverWritten.learn(data);
        neverWritten.unlearn(removed);
        LabeledBatch probe = SyntheticData.batch(5, 20, 784, 4);
        INDArray expected = neverWritten.scores(probe.inputs());
        double gap = expected.distance2(reader.scores(probe.inputs())) / expected.norm2Number().doubleValue();
        assertTrue(gap < 1e-9, "the round trip changes nothing the unlearning gives: " + gap);
    }
}
