package io.lethe.learning.strategy;

import io.lethe.learning.LabeledBatch;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * View-batch replay, after "Do Your Best and Get Enough Rest for Continual Learning" (Kang et al.,
 * CVPR 2025, whose sampler repeats each index {@code views} times in a row and cuts each epoch to the
 * same number of iterations): every example of a step appears as {@code views} views side by side,
 * the example itself and augmented copies, so it is learned thoroughly in the step ("do your best").
 * Views are translations of square images by up to {@code shift} pixels and/or copies with each
 * input zeroed with probability {@code dropout} (identical copies would change nothing: the step
 * minimises the batch's mean loss). With {@code rest}, the replayed part keeps one in {@code views}
 * of the examples the schedule drew, each in views^2 views, so a buffered example is recalled
 * {@code views} times less often and more thoroughly ("get enough rest") while replayed rows keep
 * their share of the step. In a single pass over a stream the new examples cannot rest; they get
 * their views in the step they arrive.
 */
public final class ViewBatchReplay implements TrainingStrategy {

    private final int views;
    private final int shift;
    private final double dropout;
    private final boolean rest;
    private final long seed;
    private long steps;

    /**
     * @param shift translate square images by up to this many pixels (0: no translation)
     * @param dropout zero each input of a view with this probability (0: none)
     * @param rest thin the replayed part to one in {@code views} examples, each in views^2 views (the
     *             paper's longer rest; the step keeps the same share of replayed rows)
     */
    public ViewBatchReplay(int views, int shift, double dropout, boolean rest, long seed) {
        if (views < 1 || shift < 0 || !(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("view-batch replay needs views >= 1, shift >= 0 and dropout in [0, 1)");
        }
        this.views = views;
        this.shift = shift;
        this.dropout = dropout;
        this.rest = rest;
        this.seed = seed;
    }

    @Override
    public String name() {
        return rest ? "viewbatch-rest" : "viewbatch";
    }

    @Override
    public Map<String, String> config() {
        return Map.of("name", name(), "views", Integer.toString(views), "shift_pixels", Integer.toString(shift),
                "dropout", Double.toString(dropout), "replay", rest ? "1 in " + views + ", views^2 views each" : "all, "
                        + views + " views each");
    }

    @Override
    public LabeledBatch stepBatch(LabeledBatch batch, int newExamples) {
        int replayed = batch.size() - newExamples;
        int keptReplayed = rest ? (replayed + views - 1) / views : replayed;
        int originals = newExamples + keptReplayed;
        int width = (int) batch.inputs().columns();
        int side = (int) Math.round(Math.sqrt(width));
        boolean image = side * side == width;
        float[] source = batch.inputs().castTo(DataType.FLOAT).dup('c').data().asFloat();
        int replayViews = rest ? views * views : views;
        int rows = newExamples * views + keptReplayed * replayViews;
        float[] out = new float[rows * width];
        int[] labels = new int[rows];
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + steps++);
        int row = 0;
        for (int i = 0; i < originals; i++) {
            int count = i < newExamples ? views : replayViews;
            for (int v = 0; v < count; v++) {
                int dx = v == 0 || !image ? 0 : random.nextInt(-shift, shift + 1);
                int dy = v == 0 || !image ? 0 : random.nextInt(-shift, shift + 1);
                if (image) {
                    translate(source, i * width, out, row * width, side, dx, dy);
                } else {
                    System.arraycopy(source, i * width, out, row * width, width);
                }
                if (v > 0 && dropout > 0) {
                    for (int k = row * width; k < (row + 1) * width; k++) {
                        if (random.nextDouble() < dropout) {
                            out[k] = 0;
                        }
                    }
                }
                labels[row] = batch.labels()[i];
                row++;
            }
        }
        return new LabeledBatch(Nd4j.create(out, new long[] {labels.length, width}, 'c'), labels);
    }

    /** Copies one side x side image shifted by (dx, dy); pixels shifted in from outside are 0. */
    static void translate(float[] source, int from, float[] target, int to, int side, int dx, int dy) {
        for (int y = 0; y < side; y++) {
            int sy = y - dy;
            if (sy < 0 || sy >= side) {
                continue;
            }
            for (int x = 0; x < side; x++) {
                int sx = x - dx;
                if (sx >= 0 && sx < side) {
                    target[to + y * side + x] = source[from + sy * side + sx];
                }
            }
        }
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        out.writeLong(steps);
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        steps = in.readLong();
    }
}
