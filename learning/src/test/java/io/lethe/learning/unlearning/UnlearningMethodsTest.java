package io.lethe.learning.unlearning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class UnlearningMethodsTest {

    private static LabeledBatch blobs(int n, long seed) {
        return GaussianBlobs.of(n, seed, 3);
    }

    private static LabeledBatch ofClass(LabeledBatch data, int c, boolean keep) {
        int[] labels = data.labels();
        int[] rows = java.util.stream.IntStream.range(0, labels.length).filter(i -> (labels[i] == c) == keep).toArray();
        int[] selected = java.util.Arrays.stream(rows).map(i -> labels[i]).toArray();
        return new LabeledBatch(data.inputs().getRows(rows), selected);
    }

    private static NetworkLearner trained(LabeledBatch data) {
        NetworkLearner model = new NetworkLearner(8, 16, 4, 0.1, 1, 7);
        for (int epoch = 0; epoch < 30; epoch++) {
            model.learn(data);
        }
        return model;
    }

    /** A network trained on blobs, the examples of one class as its forget set, and its parameters. */
    private record Trained(LabeledBatch data, NetworkLearner model, LabeledBatch forget, NetworkParameters network) {
        static Trained on(long seed, int forgetClass) {
            LabeledBatch data = blobs(400, seed);
            NetworkLearner model = trained(data);
            return new Trained(data, model, ofClass(data, forgetClass, true), new NetworkParameters(model));
        }

        double meanForgetLoss() {
            return java.util.Arrays.stream(network.losses(forget.inputs(), forget.labels())).average().orElseThrow();
        }
    }

    private static float[] flat(NetworkLearner model) {
        return model.network().params().dup().data().asFloat();
    }

    @Test
    void ssdLeavesUnselectedParametersBitIdenticalAndNeverGrowsAMagnitude() {
        LabeledBatch data = blobs(400, 1);
        NetworkLearner model = trained(data);
        float[] before = flat(model);
        NetworkParameters params = new NetworkParameters(model);
        NetworkParameters.Tensors dataImportance = params.params().zerosLike();
        NetworkParameters.Tensors forgetImportance = params.params().zerosLike();
        SplittableRandom random = new SplittableRandom(3);
        // Random importances: about a third of the parameters pass the test I_Df > alpha I_D.
        dataImportance.values().values().forEach(v -> v.assign(Nd4j.rand(DataType.FLOAT, v.shape()).addi(0.01)));
        forgetImportance.values().forEach((name, v) -> v.assign(dataImportance.values().get(name)
                .mul(Nd4j.rand(DataType.FLOAT, v.shape()).muli(15))));
        SelectiveSynapticDampening ssd = new SelectiveSynapticDampening(10, 1, 64, 5);
        ssd.dampen(params.params(), dataImportance, forgetImportance);
        float[] after = flat(model);
        float[] iD = concat(dataImportance);
        float[] iDf = concat(forgetImportance);
        int selected = 0;
        for (int k = 0; k < before.length; k++) {
            if (iDf[k] > 10 * iD[k]) {
                selected++;
                double expected = before[k] * Math.min(iD[k] / iDf[k], 1.0);
                assertEquals(expected, after[k], 1e-6 * Math.abs(before[k]) + 1e-9);
            } else {
                assertEquals(Float.floatToRawIntBits(before[k]), Float.floatToRawIntBits(after[k]), "parameter " + k);
            }
            assertTrue(Math.abs(after[k]) <= Math.abs(before[k]));
        }
        assertTrue(selected > before.length / 10 && selected < before.length, "selected " + selected);
        assertEquals(0, random.nextInt(1)); // the random source is only there to make the draw explicit
    }

    private static float[] concat(NetworkParameters.Tensors t) {
        // Same order as the flattened parameters: each parameter in DL4J's 'f' order.
        return Nd4j.toFlattened('f', t.values().values().toArray(new INDArray[0])).data().asFloat();
    }

    @Test
    void sfrOnsMaskIsTheFisherRatioTest() {
        NetworkParameters.Tensors forget = new NetworkParameters.Tensors(new java.util.LinkedHashMap<>(java.util.Map.of(
                "w", Nd4j.createFromArray(new float[] {1f, 2f, 0f, 5f, 1e-20f}))));
        NetworkParameters.Tensors remain = new NetworkParameters.Tensors(new java.util.LinkedHashMap<>(java.util.Map.of(
                "w", Nd4j.createFromArray(new float[] {2f, 2f, 0f, 1f, 0f}))));
        INDArray mask = SfrOn.mask(forget, remain, 1.0).values().get("w");
        // ratios (F_f + 1e-15) / (F_r + 1e-15): 0.5, 1, 1 (both zero), 5, ~1.00001 -> mask 0 1 1 1 1
        assertArrayEquals(new float[] {0f, 1f, 1f, 1f, 1f}, mask.data().asFloat());
        assertArrayEquals(new float[] {0f, 0f, 0f, 1f, 0f}, SfrOn.mask(forget, remain, 2.0).values().get("w").data().asFloat());
    }

    @Test
    void sfrOnsPerSampleWeightsSumToTheBatchSizeAndFavourLowLosses() {
        double[] losses = {0.01, 0.1, 1, 4, 0.5, 2.5, 0.2};
        double[] eps = SfrOn.sampleWeights(losses, 0.5);
        assertEquals(losses.length, java.util.Arrays.stream(eps).sum(), 1e-9);
        assertTrue(eps[0] > eps[1] && eps[1] > eps[2] && eps[2] > eps[3]);
        assertEquals(Math.sqrt(4 / 0.01), eps[0] / eps[3], 1e-9, "eps_i proportional to l_i^-0.5");
    }

    @Test
    void sfrOnWithTheForgetWeightAtZeroIsFineTuning() {
        LabeledBatch data = blobs(400, 2);
        NetworkLearner a = trained(data);
        NetworkLearner b = trained(data);
        LabeledBatch forget = ofClass(data, 2, true);
        UnlearningMethod.RemainSampler remain = Minibatches.of(ofClass(data, 2, false));
        SfrOn sfr = new SfrOn(40, 16, 0.05, 1, 0.5, 25, 7, 5, 4).withAlphaMax(0);
        sfr.unlearn(a, forget, remain, 11);
        new FineTune(40, 16, 0.05).unlearn(b, forget, remain, 11);
        assertArrayEquals(flat(b), flat(a));
    }

    @Test
    void gradientAscentRaisesTheForgetLoss() {
        Trained t = Trained.on(4, 0);
        double before = t.meanForgetLoss();
        new GradientAscent(10, 32, 0.01).unlearn(t.model(), t.forget(), null, 1);
        double after = t.meanForgetLoss();
        assertTrue(after > before, before + " -> " + after);
    }

    @Test
    void theMembershipThresholdSeparatesConfidencesAndMethodsAreNamed() {
        assertEquals(0.8, UnlearningMetrics.threshold(new double[] {0.9, 0.95, 0.8}, new double[] {0.2, 0.5, 0.6}), 1e-12);
        assertEquals("ssd", UnlearningMethod.named("ssd").name());
        assertEquals("sfr-on-sam", UnlearningMethod.named("sfr-on-sam").name());
        assertEquals("gradient-ascent-sam", UnlearningMethod.named("gradient-ascent-sam").name());
        assertEquals(String.valueOf(SfrOn.SAM_RHO), UnlearningMethod.named("sfr-on-sam").config().get("rho"));
        assertThrows(IllegalArgumentException.class, () -> UnlearningMethod.named("amnesiac"));
    }

    /** Mean forget-set cross-entropy ascent gradient, the objective gradient ascent minimises. */
    private static NetworkParameters.Tensors ascent(NetworkParameters at, LabeledBatch batch) {
        NetworkParameters.Tensors g = at.gradient(batch.inputs(), batch.labels(), null);
        g.scale(-1.0 / batch.size());
        return g;
    }

    @Test
    void aSharpnessAwareGradientIsTheGradientAtTheWorstCaseWithinRho() {
        Trained t = Trained.on(5, 1);
        float[] before = flat(t.model());
        double rho = 0.5;
        NetworkParameters.Tensors plain = ascent(t.network(), t.forget());
        NetworkParameters.Tensors sam = SharpnessAware.gradient(t.network(), at -> ascent(at, t.forget()), rho);
        assertArrayEquals(before, flat(t.model()), "the parameters are restored bit for bit");

        // The same gradient, computed by moving the parameters to theta + rho g / |g| by hand.
        NetworkParameters.Tensors worst = SharpnessAware.worstCasePoint(t.network().params(), plain, rho);
        double moved = 0;
        for (var e : worst.values().entrySet()) {
            moved += Math.pow(e.getValue().sub(t.network().params().values().get(e.getKey())).norm2Number().doubleValue(), 2);
        }
        assertEquals(rho, Math.sqrt(moved), 1e-4, "the worst-case point lies at distance rho");
        NetworkLearner there = UnlearningMethodsTest.copyOf(t.model());
        NetworkParameters thereParams = new NetworkParameters(there);
        thereParams.params().values().forEach((name, theta) -> theta.assign(worst.values().get(name)));
        NetworkParameters.Tensors expected = ascent(thereParams, t.forget());
        for (String name : expected.values().keySet()) {
            assertArrayEquals(expected.values().get(name).dup().data().asFloat(), sam.values().get(name).dup().data().asFloat(),
                    1e-5f, name);
        }
        // It differs from the plain gradient, and at radius 0 it is the plain gradient.
        assertTrue(sam.values().get("0_W").sub(plain.values().get("0_W")).norm2Number().doubleValue() > 1e-4);
        NetworkParameters.Tensors zero = SharpnessAware.gradient(t.network(), at -> ascent(at, t.forget()), 0);
        assertArrayEquals(plain.values().get("0_W").dup().data().asFloat(), zero.values().get("0_W").dup().data().asFloat());
    }

    @Test
    void theSharpnessAwarePointRaisesTheObjectiveMoreThanRandomDirections() {
        Trained t = Trained.on(6, 3);
        double rho = 0.05; // small: the first-order worst case is the worst case
        NetworkParameters.Tensors g = ascent(t.network(), t.forget());
        double atWorst = objectiveAt(t.model(), SharpnessAware.worstCasePoint(t.network().params(), g, rho), t.forget());
        SplittableRandom random = new SplittableRandom(9);
        for (int trial = 0; trial < 10; trial++) {
            java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> direction = new java.util.LinkedHashMap<>();
            t.network().params().values().forEach((name, theta) -> {
                float[] r = new float[(int) theta.length()];
                for (int i = 0; i < r.length; i++) {
                    r[i] = (float) random.nextGaussian();
                }
                direction.put(name, Nd4j.create(r, theta.shape(), DataType.FLOAT));
            });
            double atRandom = objectiveAt(t.model(), SharpnessAware.worstCasePoint(t.network().params(),
                    new NetworkParameters.Tensors(direction), rho), t.forget());
            assertTrue(atWorst > atRandom, "trial " + trial + ": " + atWorst + " vs " + atRandom);
        }
    }

    /** The ascent objective (minus the mean forget loss) at the given parameters, on a copy of the model. */
    private static double objectiveAt(NetworkLearner model, NetworkParameters.Tensors point, LabeledBatch forget) {
        NetworkLearner copy = copyOf(model);
        NetworkParameters params = new NetworkParameters(copy);
        params.params().values().forEach((name, theta) -> theta.assign(point.values().get(name)));
        return -java.util.Arrays.stream(params.losses(forget.inputs(), forget.labels())).average().orElseThrow();
    }

    private static NetworkLearner copyOf(NetworkLearner model) {
        NetworkLearner copy = new NetworkLearner(8, 16, 4, 0.1, 1, 7);
        copy.network().setParams(model.network().params().dup());
        return copy;
    }
}
