package io.lethe.learning.unlearning;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.gradient.NetworkLearner;
import java.util.Map;

/**
 * Gradient ascent through DL4J's own training loop: the learner's learning steps on the forget set
 * with the learning rate negated. It works on any network shape (the CNN too), so it is what a
 * network runs when the configured method cannot work on its shape.
 */
public final class Dl4jGradientAscent implements UnlearningMethod {

    public static final String NAME = "gradient-ascent-dl4j";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> config() {
        return Map.of("unlearning.method", NAME);
    }

    @Override
    public void unlearn(NetworkLearner model, LabeledBatch forget, RemainSampler remain, long seed) {
        model.ascend(forget);
    }

    @Override
    public boolean supports(NetworkLearner.Architecture architecture) {
        return true;
    }
}
