package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import java.util.SplittableRandom;

/** Random minibatches of a labelled batch. */
public final class Minibatches {

    private Minibatches() {
    }

    /** {@code size} distinct rows drawn at random (all rows, shuffled, if there are fewer). */
    static LabeledBatch draw(LabeledBatch batch, int size, SplittableRandom random) {
        int n = batch.size();
        int k = Math.min(size, n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] rows = java.util.Arrays.copyOf(order, k);
        int[] labels = batch.labels();
        int[] selected = new int[k];
        for (int i = 0; i < k; i++) {
            selected[i] = labels[rows[i]];
        }
        return new LabeledBatch(batch.inputs().getRows(rows), selected);
    }

    /** A sampler over a fixed retained set. */
    public static UnlearningMethod.RemainSampler of(LabeledBatch retained) {
        return new UnlearningMethod.RemainSampler() {
            @Override
            public LabeledBatch sample(int n, SplittableRandom random) {
                return draw(retained, n, random);
            }

            @Override
            public long size() {
                return retained.size();
            }
        };
    }
}
