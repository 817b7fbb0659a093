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
     * Changes {@code model}'s parameters in place so that it forgets {@code forget}. {@code remain}
     * may be null for methods that need no retained data. Called through
     * {@link NetworkLearner#unlearn(LabeledBatch, UnlearningMethod, RemainSampler, long)}, which keeps
     * the model's count of retained examples.
     */
    void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed);

    /**
     * Whether the method can work on a network of this shape. The methods with an explicit ND4J
     * backward pass (all but {@code gradient-ascent-dl4j}) know the MLP only.
     */
    default boolean supports(NetworkLearner.Architecture architecture) {
        return architecture == NetworkLearner.Architecture.MLP;
    }

    /**
     * The method a network of this shape runs when {@code name} is configured: the named one, or,
     * where that one cannot work on the shape, DL4J's own gradient ascent (said in its name).
     */
    static UnlearningMethod forNetwork(String name, NetworkLearner.Architecture architecture) {
        UnlearningMethod named = named(name);
        return named.supports(architecture) ? named : new Dl4jGradientAscent();
    }

    /**
     * A method by name with the authors' defaults: sfr-on, ssd, gradient-ascent or fine-tune, and the
     * sharpness-aware sfr-on-sam and gradient-ascent-sam, iau (influence approximation) and gs-lora
     * (group-sparse low-rank adapters).
     */
    static UnlearningMethod named(String name) {
        return switch (name) {
            case "sfr-on" -> SfrOn.defaults();
            case "sfr-on-sam" -> SfrOn.defaults().withSam(SfrOn.SAM_RHO);
            case "ssd" -> SelectiveSynapticDampening.defaults();
            case "gradient-ascent" -> GradientAscent.defaults();
            case "gradient-ascent-sam" -> GradientAscent.defaults().withSam(GradientAscent.SAM_RHO);
            case "fine-tune" -> FineTune.defaults();
            case InfluenceApproximation.NAME -> InfluenceApproximation.defaults();
            case GroupSparseLora.NAME -> GroupSparseLora.defaults();
            case Dl4jGradientAscent.NAME -> new Dl4jGradientAscent();
            default -> throw new IllegalArgumentException("unknown unlearning method '" + name
                    + "' (expected sfr-on, sfr-on-sam, ssd, gradient-ascent, gradient-ascent-sam, fine-tune, iau, gs-lora or "
                    + Dl4jGradientAscent.NAME + ")");
        };
    }
}
