package io.lethe.streams.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.learning.analytic.AnalyticRidgeLearner;
import io.lethe.schemas.TrainingExample;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.TestData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analytic engine's kept features: rows in and out, the oldest making room, and unlearning exact with them. */
class FeatureCacheTest {

    @TempDir
    Path dir;

    private static float[] rows(int n, int width, float base) {
        float[] out = new float[n * width];
        for (int i = 0; i < out.length; i++) {
            out[i] = base + i;
        }
        return out;
    }

    @Test
    void rowsSpanChunks() {
        int width = 1 << 20; // 4 MB rows: two to a chunk
        FeatureCache cache = new FeatureCache(width, 4L * width * 5); // chunks of 2, 2 and 1 rows
        float[] in = rows(5, width, 1);
        for (int i = 0; i < 5; i++) {
            cache.put("r" + i, in, i);
        }
        float[] out = new float[5 * width];
        for (int i = 0; i < 5; i++) {
            assertTrue(cache.copy("r" + i, out, i));
        }
        assertArrayEquals(in, out);
        cache.put("r5", in, 0); // full: the oldest makes room
        assertFalse(cache.copy("r0", out, 0));
        assertTrue(cache.copy("r5", out, 0));
        assertEquals(1f, out[0]);
        assertEquals(5, cache.size());
    }

    @Test
    void keepsRowsUntilRemovedAndTheOldestMakeRoom() {
        int width = 3;
        FeatureCache cache = new FeatureCache(width, 4L * width * 2); // room for two rows
        float[] in = rows(3, width, 10);
        cache.put("a", in, 0);
        cache.put("b", in, 1);
        float[] out = new float[2 * width];
        assertTrue(cache.copy("b", out, 1));
        assertArrayEquals(new float[] {0, 0, 0, 13, 14, 15}, out);
        cache.put("c", in, 2); // full: "a", the oldest, makes room
        assertFalse(cache.copy("a", out, 0));
        assertTrue(cache.copy("c", out, 0));
        assertArrayEquals(new float[] {16, 17, 18}, java.util.Arrays.copyOf(out, width));
        cache.remove("c");
        assertFalse(cache.copy("c", out, 0));
        assertEquals(1, cache.size());
        cache.put("d", in, 0); // reuses the freed slot; "b" stays
        assertTrue(cache.copy("b", out, 0));
        assertTrue(cache.copy("d", out, 1));
        assertArrayEquals(new float[] {13, 14, 15, 10, 11, 12}, out);

        FeatureCache off = new FeatureCache(width, 0);
        off.put("a", in, 0);
        assertFalse(off.copy("a", out, 0));
    }

    private static List<TrainingExample> images(int n) {
        SplittableRandom random = new SplittableRandom(7);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] pixels = new byte[784];
            for (int j = 0; j < pixels.length; j++) {
                pixels[j] = (byte) random.nextInt(256);
            }
            out.add(TrainingExample.newBuilder().setExampleId("img-" + i).setSubjectId("s-" + (i % 7)).setTask(0)
                    .setLabel(i % 4).setPixels(ByteBuffer.wrap(pixels)).setFeatures(null)
                    .setEventTime(Instant.ofEpochMilli(i)).build());
        }
        return out;
    }

    private AnalyticEngine engine(String cacheMb) {
        LetheConfig config = TestData.config(dir, "lethe.feature.map", "random-conv", "lethe.input.dim", "784",
                "lethe.feature.cache.mb", cacheMb);
        return new AnalyticEngine(config);
    }

    @Test
    void unlearningWithKeptFeaturesGivesTheModelThatRecomputingThemGives() {
        List<TrainingExample> data = images(96);
        AnalyticEngine kept = engine("1"); // 1 MB: 170 rows of 1,536 floats would fit; all 96 are kept
        AnalyticEngine recomputed = engine("0");
        for (int from = 0; from < data.size(); from += 32) {
            kept.learn(data.subList(from, from + 32), true);
            recomputed.learn(data.subList(from, from + 32), true);
        }
        assertEquals(96, kept.cachedFeatures());
        List<TrainingExample> erased = new ArrayList<>(data.subList(10, 40));
        kept.unlearn(erased);
        recomputed.unlearn(erased);
        assertEquals(66, kept.cachedFeatures(), "an unlearned example's features leave the cache");
        double[] a = ((AnalyticRidgeLearner) kept.learner()).head().data().asDouble();
        double[] b = ((AnalyticRidgeLearner) recomputed.learner()).head().data().asDouble();
        assertArrayEquals(b, a, "the same numbers, bit for bit");
        assertTrue(kept.verify(30).residual() < 1e-9);
    }

    @Test
    void examplesThatMadeRoomAreFeaturisedAgainWhenUnlearned() {
        List<TrainingExample> data = images(64);
        AnalyticEngine kept = engine("1");
        AnalyticEngine recomputed = engine("0");
        // A cache of 1 MB holds 170 rows; the 64 images four times over under new ids push the first 86 out.
        List<TrainingExample> all = new ArrayList<>(data);
        for (int copy = 1; copy < 4; copy++) {
            for (TrainingExample e : data) {
                all.add(TrainingExample.newBuilder(e).setExampleId(e.getExampleId() + "-" + copy).build());
            }
        }
        for (int from = 0; from < all.size(); from += 64) {
            kept.learn(all.subList(from, from + 64), true);
            recomputed.learn(all.subList(from, from + 64), true);
        }
        assertTrue(kept.cachedFeatures() < all.size(), "some made room: " + kept.cachedFeatures());
        List<TrainingExample> erased = new ArrayList<>(all.subList(200, 220)); // the newest: kept
        erased.addAll(all.subList(0, 20)); // the oldest: not kept any more, featurised again among kept ones
        erased.addAll(all.subList(230, 235));
        kept.unlearn(erased);
        recomputed.unlearn(erased);
        assertArrayEquals(((AnalyticRidgeLearner) recomputed.learner()).head().data().asDouble(),
                ((AnalyticRidgeLearner) kept.learner()).head().data().asDouble());
    }
}
