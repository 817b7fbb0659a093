package io.lethe.streams.topology;

import io.lethe.learning.LabeledBatch;
import io.lethe.schemas.TrainingExample;
import java.nio.ByteBuffer;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Turns validated examples into a learner batch: pixels scaled by 1/255, or the float features as given. */
public final class ExampleBatches {

    private ExampleBatches() {
    }

    /** One example's input as the learner sees it. */
    public static float[] input(TrainingExample example, int inputDim) {
        float[] out = new float[inputDim];
        if (example.getPixels() != null) {
            ByteBuffer pixels = example.getPixels().duplicate();
            for (int j = 0; j < inputDim; j++) {
                out[j] = io.lethe.learning.data.Pixels.intensity(pixels.get());
            }
        } else {
            List<Float> features = example.getFeatures();
            for (int j = 0; j < inputDim; j++) {
                out[j] = features.get(j);
            }
        }
        return out;
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
            TrainingExample example = examples.get(i);
            labels[i] = example.getLabel();
            if (example.getPixels() != null) {
                ByteBuffer pixels = example.getPixels().duplicate();
                for (int j = 0; j < inputDim; j++) {
                    flat[i * inputDim + j] = io.lethe.learning.data.Pixels.intensity(pixels.get());
                }
            } else {
                List<Float> features = example.getFeatures();
                for (int j = 0; j < inputDim; j++) {
                    flat[i * inputDim + j] = features.get(j);
                }
            }
        }
        return new LabeledBatch(Nd4j.create(flat, new long[] {n, inputDim}, DataType.FLOAT), labels);
    }
}
