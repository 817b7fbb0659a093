package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.NativeArrays;
import io.lethe.schemas.TrainingExample;
import java.nio.ByteBuffer;
import java.util.List;

/** Turns validated examples into a learner batch: pixels scaled by 1/255, or the float features as given. */
public final class ExampleBatches {

    private ExampleBatches() {
    }

    /** One example's input as the learner sees it. */
    public static float[] input(TrainingExample example, int inputDim) {
        float[] out = new float[inputDim];
        write(example, out, 0, inputDim);
        return out;
    }

    /** Writes an example's input into {@code out} from {@code offset}. */
    private static void write(TrainingExample example, float[] out, int offset, int inputDim) {
        if (example.getPixels() != null) {
            ByteBuffer pixels = example.getPixels();
            if (pixels.hasArray()) { // as decoded: read the array, not one bounds-checked get() per pixel
                byte[] bytes = pixels.array();
                int from = pixels.arrayOffset() + pixels.position();
                for (int j = 0; j < inputDim; j++) {
                    out[offset + j] = io.lethe.learning.data.Pixels.intensity(bytes[from + j]);
                }
            } else {
                ByteBuffer view = pixels.duplicate();
                for (int j = 0; j < inputDim; j++) {
                    out[offset + j] = io.lethe.learning.data.Pixels.intensity(view.get());
                }
            }
        } else {
            List<Float> features = example.getFeatures();
            for (int j = 0; j < inputDim; j++) {
                out[offset + j] = features.get(j);
            }
        }
    }

    /** An example as a replay-buffer item under its store key (the task given: a pseudo-task may replace it). */
    public static io.lethe.learning.replay.ReplayItem<float[]> replayItem(String key, TrainingExample example, int task,
                                                                         int inputDim) {
        return io.lethe.learning.replay.ReplayTrainer.item(key, example.getSubjectId(), task, example.getLabel(),
                input(example, inputDim));
    }

    public static LabeledBatch of(List<TrainingExample> examples, int inputDim) {
        int n = examples.size();
        float[] flat = new float[n * inputDim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = examples.get(i).getLabel();
            write(examples.get(i), flat, i * inputDim, inputDim);
        }
        return new LabeledBatch(NativeArrays.floatMatrix(flat, n, inputDim), labels);
    }
}
