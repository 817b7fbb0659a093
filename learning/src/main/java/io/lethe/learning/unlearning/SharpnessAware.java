package io.lethe.learning.unlearning;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sharpness-aware minimisation (Foret et al., ICLR 2021) as Fan et al. ("Towards LLM Unlearning
 * Resilient to Relearning Attacks", 2025) apply it to the unlearning objective: the gradient is taken
 * at the worst point within radius rho of the parameters, to first order
 * theta + rho g / ||g|| with g the gradient at theta, and the step is applied at theta. Minimising the
 * objective over the whole neighbourhood leaves the unlearned parameters in a flat region of it, so a
 * few relearning steps (a small move in parameter space) do not climb back to the forgotten solution.
 */
final class SharpnessAware {

    private SharpnessAware() {
    }

    /**
     * The gradient of {@code objective} (a function computing the gradient of the loss to minimise at
     * the network's current parameters) at the first-order worst case within radius {@code rho}. The
     * parameters are restored bit for bit before returning. With {@code rho == 0}, or a zero
     * gradient, it is the plain gradient.
     */
    static NetworkParameters.Tensors gradient(NetworkParameters network,
                                              Function<NetworkParameters, NetworkParameters.Tensors> objective,
                                              double rho) {
        NetworkParameters.Tensors g = objective.apply(network);
        double norm = g.norm();
        if (rho == 0 || norm == 0) {
            return g;
        }
        Map<String, INDArray> saved = new LinkedHashMap<>();
        NetworkParameters.Tensors params = network.params();
        params.values().forEach((name, theta) -> {
            saved.put(name, theta.dup());
            theta.addi(g.values().get(name).mul(rho / norm));
        });
        try {
            return objective.apply(network);
        } finally {
            params.values().forEach((name, theta) -> theta.assign(saved.get(name)));
        }
    }

    /** The point the gradient is taken at: theta + rho g / ||g|| (for tests and inspection). */
    static NetworkParameters.Tensors worstCasePoint(NetworkParameters.Tensors params, NetworkParameters.Tensors g,
                                                    double rho) {
        double norm = g.norm();
        Map<String, INDArray> out = new LinkedHashMap<>();
        params.values().forEach((name, theta) -> out.put(name, norm == 0 ? theta.dup()
                : theta.add(g.values().get(name).mul(rho / norm))));
        return new NetworkParameters.Tensors(out);
    }
}
