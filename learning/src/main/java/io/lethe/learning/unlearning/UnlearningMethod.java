package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.Map;
import java.util.SplittableRandom;

/** Removes (approximately) the influence of a forget set from a trained network. */
public interface UnlearningMethod {

    /** Draws retained examples (in streaming: from the replay buffer). */
    interface RemainSampler {
        /** Up to n retained examples, drawn with the given random source. */
        LabeledBatch sample(int n, SplittableRandom random);

        /** How many retained examples there are (SSD weighs the forget set's share of the data by it). */
        long size();
    }

    String name();

    /** The method's settings, for lineage and receipts. */
    Map<String, String> config();

    /**
     * Unlearns {@code forget} from {@code model} in place. {@code remain} may be null for methods
     * that need no retained data.
     */
    void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed);

    /** A method by name with the authors' defaults: sfr-on, ssd, gradient-ascent or fine-tune. */
    static UnlearningMethod named(String name) {
        return switch (name) {
            case "sfr-on" -> SfrOn.defaults();
            case "ssd" -> SelectiveSynapticDampening.defaults();
            case "gradient-ascent" -> GradientAscent.defaults();
            case "fine-tune" -> FineTune.defaults();
            default -> throw new IllegalArgumentException("unknown unlearning method '" + name
                    + "' (expected sfr-on, ssd, gradient-ascent or fine-tune)");
        };
    }
}
