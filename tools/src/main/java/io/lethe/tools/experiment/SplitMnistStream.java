package io.lethe.tools.experiment;

import io.lethe.learning.data.ImageDataset;
import io.lethe.learning.replay.ReplayItem;
import io.lethe.learning.replay.ReplayTrainer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The Split-MNIST stream the SISA and sequential-erasure experiments replay: tasks {0,1}, {2,3}, ...
 * in order, within a task the training set's order; image i belongs to subject i mod {@code subjects}
 * and is keyed {@code subject \0 i}, as the stream's stores key examples.
 */
final class SplitMnistStream {

    private SplitMnistStream() {
    }

    static List<ReplayItem<float[]>> items(ImageDataset train, int subjects) {
        List<ReplayItem<float[]>> stream = new ArrayList<>();
        float[][] rows = train.batch(IntStream.range(0, train.size()).toArray()).inputs().toFloatMatrix();
        for (int i = 0; i < train.size(); i++) {
            String subject = "subject-" + (i % subjects);
            stream.add(ReplayTrainer.item(subject + "\u0000" + i, subject, train.labels()[i] / 2, train.labels()[i], rows[i]));
        }
        stream.sort(Comparator.comparingInt(ReplayItem::task));
        return stream;
    }
}
