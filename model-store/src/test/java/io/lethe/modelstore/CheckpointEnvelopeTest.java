package io.lethe.modelstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Predictor;
import io.lethe.learning.analytic.RidgeModel;
import io.lethe.learning.feature.FeatureMapSpec;
import io.lethe.learning.gradient.NetworkLearner;
import io.lethe.learning.gradient.NetworkPredictor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One envelope for both kinds of model; the first release's checkpoints still load. */
class CheckpointEnvelopeTest {

    /** The inputs the release-1 fixtures were evaluated on when they were frozen. */
    private static INDArray fixtureInputs() {
        float[] x = new float[12 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.7);
        }
        return Nd4j.create(x, new long[] {12, 4}, DataType.FLOAT);
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = CheckpointEnvelopeTest.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aNetworkRoundTripsWithItsProvenanceAndPredictsAsTheLearnerDid(@TempDir Path dir) throws IOException {
        NetworkLearner learner = new NetworkLearner(4, 6, 3, 0.1, 1, 11);
        int[] labels = new int[12];
        for (int i = 0; i < 12; i++) {
            labels[i] = i % 3;
        }
        learner.learn(new LabeledBatch(fixtureInputs(), labels));
        Provenance provenance = CheckpointStoreTest.provenance("replay", 4);
        CheckpointStore store = new CheckpointStore(dir);
        StoredCheckpoint stored = store.write(provenance, learner.predictor());

        CheckpointEnvelope.Contents back = store.load(stored.uri(), stored.sha256());
        assertEquals(provenance, back.provenance());
        assertEquals(NetworkPredictor.KIND, back.predictor().kind());
        assertEquals(learner.scores(fixtureInputs()), back.predictor().scores(fixtureInputs()));
        assertArrayEquals(learner.predict(fixtureInputs()), back.predictor().predict(fixtureInputs()));
        IOException wrongType = assertThrows(IOException.class, () -> store.read(stored, RidgeModel.class));
        assertTrue(wrongType.getMessage().contains("dl4j-network"), wrongType.getMessage());
    }

    @Test
    void releaseOneRidgeCheckpointsStillLoad() throws IOException {
        CheckpointEnvelope.Contents contents = CheckpointEnvelope.decode(fixture("release1-ridge.ckpt"));
        assertNull(contents.provenance(), "the first release kept provenance in the manifest only");
        RidgeModel model = (RidgeModel) contents.predictor();
        double[] w = new double[8 * 3];
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 3; j++) {
                w[i * 3 + j] = i * 0.5 - j * 0.25 + (i * j % 3) * 0.125;
            }
        }
        RidgeModel expected = new RidgeModel(FeatureMapSpec.denseRelu(4, 8, 7), new int[] {0, 1, 2},
                new boolean[] {true, true, false}, Nd4j.create(w, new long[] {8, 3}, 'c'));
        assertEquals(expected.featureMap(), model.featureMap());
        assertArrayEquals(expected.classes(), model.classes());
        assertArrayEquals(expected.active(), model.active());
        assertEquals(expected.weights(), model.weights());
        assertArrayEquals(expected.predict(fixtureInputs()), model.predict(fixtureInputs()));
    }

    @Test
    void releaseOneNetworkCheckpointsStillLoadAsPredictors() throws IOException {
        Predictor predictor = CheckpointEnvelope.decode(fixture("release1-mlp.ckpt")).predictor();
        assertEquals(NetworkPredictor.KIND, predictor.kind());
        String frozen = new String(fixture("release1-mlp.scores.txt"), StandardCharsets.US_ASCII).trim();
        double[] expected = Arrays.stream(frozen.substring(1, frozen.length() - 1).split(","))
                .mapToDouble(v -> Double.parseDouble(v.trim())).toArray();
        double[] actual = predictor.scores(fixtureInputs()).dup('c').data().asDouble();
        assertArrayEquals(expected, actual, 1e-6, "the scores the release-1 learner gave when the fixture was frozen");
    }

    @Test
    void unknownBytesAreRefusedWithAMessage() {
        IOException e = assertThrows(IOException.class, () -> CheckpointEnvelope.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertTrue(e.getMessage().contains("not a Lethe checkpoint"), e.getMessage());
    }
}
