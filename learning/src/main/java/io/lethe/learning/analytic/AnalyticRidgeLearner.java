package io.lethe.learning.analytic;

import io.lethe.learning.LabeledBatch;
import io.lethe.learning.Learner;
import io.lethe.learning.NativeArrays;
import io.lethe.learning.NumericsCheck;
import io.lethe.learning.feature.FeatureMap;
import io.lethe.learning.feature.FeatureMapSpec;
import io.lethe.learning.feature.FeatureMaps;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact analytic continual learner: ridge regression on one-hot targets over a frozen feature map.
 *
 * <p>State: G = sum phi phi^T, Q = sum phi y^T, R = (G + gamma I)^-1 and the head W = R Q, all
 * float64. Learning a batch X, Y (ACIL) and unlearning it (ACU, the same update with the sign
 * flipped) are rank-n Woodbury updates costing O(n d^2); no solve is needed per event. Learning
 * is deferred: a learned batch moves G and Q at once; W catches up by one Cholesky solve when it
 * is read ({@link #refreshHead()}, before prediction or export), and R at the next
 * {@link #refresh()} (before any unlearning), as one block update or, when more than d/2 examples
 * are pending, one re-inversion. An erasure of d/2 examples or more is deferred the same way: G
 * and Q move, W is solved when read, R is re-inverted at the next refresh (the stream runs it when
 * idle). After any update of R, W = R Q (ACIL's recursive W update, d^2 C).
 * The head therefore equals ridge trained on exactly the retained examples, in any order of events,
 * up to floating-point drift, which {@link #verifyHead()} measures and removes by a Cholesky solve
 * from G and Q, and {@link #rebuild()} removes from R too. G and Q, and what follows from them
 * alone: {@link RidgeStatistics}. Head columns: {@link ClassColumns}.
 */
public final class AnalyticRidgeLearner implements Learner {

    private static final int SYMMETRISE_EVERY = 32;

    private final FeatureMapSpec spec;
    private final FeatureMap featureMap;
    private final double gamma;
    private final int d;

    /** G and Q. */
    private RidgeStatistics statistics;
    private INDArray inverse;
    private INDArray head;
    private ClassColumns columns = new ClassColumns();
    private long retained;
    private int updatesSinceSymmetrise;
    /** Features and labels learned into G and Q but not yet into R and W (see {@link #refresh()}). */
    private final java.util.List<INDArray> pendingFeatures = new java.util.ArrayList<>();
    private final Float64Widening widening = new Float64Widening();
    private int pendingCount;
    /** R no longer matches G: a large erasure left its re-inversion to the next {@link #refresh()}. */
    private boolean inverseStale;
    /** Whether W solves ridge on everything learned (it can be, while R still waits for a refresh). */
    private boolean headCurrent = true;

    public AnalyticRidgeLearner(FeatureMapSpec spec, double gamma) {
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("ridge gamma must be a positive finite number, got " + gamma);
        }
        NumericsCheck.verify();
        this.spec = spec;
        this.featureMap = FeatureMaps.create(spec);
        this.gamma = gamma;
        this.d = featureMap.outputDim();
        this.statistics = new RidgeStatistics(d);
        this.inverse = Nd4j.eye(d).castTo(DataType.DOUBLE).divi(gamma).dup('f');
        this.head = Nd4j.zeros(DataType.DOUBLE, d, 0);
    }

    /** Flops the statistics update needs per learned example at d features and C classes (see {@link RidgeStatistics}). */
    public static double statisticsFlopsPerExample(int d, int classes) {
        return RidgeStatistics.flopsPerExample(d, classes);
    }

    /** {@link #statisticsFlopsPerExample} as a formula, for reports. */
    public static String statisticsFlopsRule() {
        return RidgeStatistics.flopsRule();
    }

    public FeatureMap featureMap() {
        return featureMap;
    }

    public int featureDim() {
        return d;
    }

    /** Features of raw inputs, float64, as the head sees them. */
    public INDArray features(INDArray inputs) {
        return featureMap.apply(inputs).castTo(DataType.DOUBLE);
    }

    @Override
    public void learn(LabeledBatch batch) {
        INDArray features = featureMap.apply(batch.inputs());
        learnFeatures(features, batch.labels()); // widened into an array of the learner's; no reference is kept
        NativeArrays.releaseDerived(features, batch.inputs());
    }

    /** Exact: the result carries the normal-equation residual of the model after the removal. */
    @Override
    public io.lethe.learning.UnlearningResult unlearn(LabeledBatch batch) {
        return unlearnFeatures(features(batch.inputs()), batch.labels());
    }

    /** Learns precomputed features (n x d): float64, or float32 (as the conv map gives them) widened here. */
    public void learnFeatures(INDArray x, int[] labels) {
        update(x, labels, +1);
    }

    /**
     * Unlearns precomputed features (n x d) that were learned before: exact when they are the same
     * numbers {@link #features} gave when the examples were learned (the feature map's are, whatever
     * the batch), so a caller that kept them need not compute them again. Float32 features (as the
     * conv map gives them) are widened to float64 here.
     */
    public io.lethe.learning.UnlearningResult unlearnFeatures(INDArray x, int[] labels) {
        for (int label : labels) {
            if (!columns.holds(label)) {
                throw new IllegalArgumentException("cannot unlearn label " + label + ": the model holds no example of it");
            }
        }
        update(x, labels, -1);
        return io.lethe.learning.UnlearningResult.exact("analytic-ridge", labels.length, normalEquationResidual());
    }

    private void update(INDArray features, int[] labels, int sign) {
        int n = labels.length;
        if (n == 0) {
            return;
        }
        if (features.rows() != n || features.columns() != d) {
            throw new IllegalArgumentException("features must be " + n + " x " + d + ", got "
                    + Arrays.toString(features.shape()));
        }
        if (sign > 0) {
            INDArray x = widening.of(features);
            for (int label : labels) {
                ensureClass(label);
            }
            // Learning is deferred: only the sufficient statistics move now (n d^2 flops); R and W
            // catch up in refresh(), by one block update or one re-inversion, whichever is cheaper.
            statistics.add(x, columns.oneHot(labels), +1);
            pendingCount += n;
            if ((long) pendingCount * 2 < d) {
                pendingFeatures.add(x.dup()); // the caller's array, or the widening array the next batch overwrites
            } else {
                pendingFeatures.clear(); // refresh() will re-invert; the rows are not needed
            }
            headCurrent = false;
        } else {
            INDArray y = columns.oneHot(labels);
            if ((long) n * 2 < d) {
                refresh();
                INDArray x = StatisticsUpdate.asDouble(features);
                statistics.add(x, y, -1);
                try {
                    woodbury(x, -1);
                } catch (ArithmeticException notPositiveDefinite) {
                    // Rounding can make I - X R X^T lose definiteness for a near-duplicate batch; the
                    // statistics are already exact, so re-invert from them instead.
                    reinvert();
                }
            } else {
                // A large erasure (a whole class, say) would cost a rank-n update of 4 n d^2 or a
                // re-inversion of 2.5 d^3. Neither is needed to answer it: the head comes from one
                // Cholesky solve (d^3 / 3) when asked for, and R is re-inverted by the next refresh(),
                // which the stream runs when idle. G and Q already hold everything learned, so R need not be
                // brought up to date first: that cost a re-inversion when many examples were pending.
                statistics.addByRowBlocks(features, y, -1);
                inverseStale = true;
                pendingFeatures.clear();
                pendingCount = 0;
                headCurrent = false;
            }
        }
        columns.count(labels, sign);
        retained += (long) sign * n;
    }

    /**
     * Rank-n update of R and W for a batch already added to (or removed from) G and Q.
     * K = (I + s X R X^T)^-1 ; R <- R - s R X^T K X R ; W <- W + s R' X^T (Y - X W), with R' X^T = (K X R)^T.
     */
    private void woodbury(INDArray x, int sign) {
        int n = (int) x.rows();
        INDArray xr = Nd4j.gemm(x, inverse, false, false);
        INDArray s = Nd4j.gemm(xr, x, false, true);
        if (sign < 0) {
            s.negi();
        }
        s.addi(Nd4j.eye(n).castTo(DataType.DOUBLE));
        // I + s X R X^T is symmetric positive definite (for unlearning: because the batch is contained
        // in R), so its inverse comes from a Cholesky factorisation.
        INDArray kxr = Nd4j.gemm(RidgeSolver.inverseSpd(s), xr, false, false);
        Nd4j.gemm(xr, kxr, inverse, true, false, -sign, 1.0);
        if (++updatesSinceSymmetrise >= SYMMETRISE_EVERY) {
            tidy();
        }
        // W = R Q: equal to ACIL's recursive W update, and cheap because C is much smaller than d.
        head = Nd4j.gemm(inverse, statistics.cross(), false, false);
        headCurrent = true;
    }

    /**
     * Brings R and W up to date with everything learned. A block update costs about 4 p d^2 for p
     * pending examples, a re-inversion about 2.5 d^3; the cheaper one is taken. Both give the same
     * head up to rounding. Called before any unlearning, prediction or export.
     */
    public void refresh() {
        if (inverseStale) {
            reinvert(); // from G, which already holds everything pending
            pendingFeatures.clear();
            pendingCount = 0;
            return;
        }
        if (pendingCount == 0) {
            return;
        }
        if ((long) pendingCount * 2 < d) {
            INDArray x = pendingFeatures.size() == 1 ? pendingFeatures.get(0)
                    : Nd4j.vstack(pendingFeatures.toArray(new INDArray[0]));
            woodbury(x, +1);
        } else {
            reinvert();
        }
        pendingFeatures.clear();
        pendingCount = 0;
    }

    private void reinvert() {
        inverse = statistics.regularisedInverse(gamma).dup('f');
        head = Nd4j.gemm(inverse, statistics.cross(), false, false);
        headCurrent = true;
        inverseStale = false;
        updatesSinceSymmetrise = 0;
    }

    /**
     * Brings W (not R) up to date by one Cholesky solve from G and Q, about d^3 / 3 flops: all that
     * prediction and publication need. R catches up at the next {@link #refresh()}.
     */
    public void refreshHead() {
        if (headCurrent) {
            return;
        }
        head = columns.size() == 0 ? head : statistics.solveHead(gamma).dup('c');
        headCurrent = true;
    }

    /**
     * Re-symmetrises R (rank-n updates leave it symmetric only up to rounding). Cheap enough to run
     * every {@code SYMMETRISE_EVERY} updates, and idle callers may run it sooner so that no erasure
     * pays for it.
     */
    public void tidy() {
        if (updatesSinceSymmetrise > 0 && !inverseStale) {
            RidgeSolver.symmetrise(inverse);
            updatesSinceSymmetrise = 0;
        }
    }

    /** Whether R is behind the statistics, so that the next unlearning first pays for a refresh. */
    public boolean inverseBehind() {
        return pendingCount > 0 || inverseStale;
    }

    private void ensureClass(int label) {
        if (columns.ensure(label)) {
            statistics.addClassColumn();
            head = ClassColumns.withZeroColumn(head);
        }
    }

    @Override
    public INDArray scores(INDArray inputs) {
        return scoresOfFeatures(features(inputs));
    }

    private INDArray scoresOfFeatures(INDArray x) {
        refreshHead();
        if (columns.size() == 0) {
            return Nd4j.zeros(DataType.DOUBLE, x.rows(), 0);
        }
        return Nd4j.gemm(x, head, false, false);
    }

    @Override
    public int[] predict(INDArray inputs) {
        return RidgeModel.argmax(scores(inputs), columns.labels(), columns.active());
    }

    /** Predictions for inputs whose features were computed already ({@link #features}); the map is frozen. */
    public int[] predictFromFeatures(INDArray features) {
        return RidgeModel.argmax(scoresOfFeatures(features), columns.labels(), columns.active());
    }

    @Override
    public int[] classes() {
        return columns.labels();
    }

    @Override
    public long retainedExamples() {
        return retained;
    }

    /** A copy of the head W (d x C). */
    public INDArray head() {
        refreshHead();
        return head.dup();
    }

    /** The prediction-only model: feature map spec, classes and head. */
    public RidgeModel model() {
        refreshHead();
        return new RidgeModel(spec, columns.labels(), columns.active(), head.dup());
    }

    /**
     * Relative residual of the normal equations for the current head, ||(G + gamma I) W - Q|| / ||Q||:
     * an O(d^2 C) check that the head solves ridge on exactly the retained statistics.
     */
    public double normalEquationResidual() {
        refreshHead();
        return statistics.residual(head, gamma);
    }

    /**
     * Solves W directly from G and Q by Cholesky, reports the relative Frobenius distance of the
     * recursive head to it, and adopts the solved head (and the solved inverse). Cost O(d^3).
     */
    public double verifyHead() {
        return rebuild().headRelativeDrift();
    }

    /** Rebuilds R and W from G and Q by Cholesky and reports how far the recursive ones had drifted. */
    public RebuildReport rebuild() {
        refresh();
        INDArray newInverse = statistics.regularisedInverse(gamma).dup('f');
        double inverseDrift = RidgeSolver.relativeFrobenius(inverse, newInverse);
        double headDrift = 0;
        if (columns.size() > 0) {
            INDArray newHead = Nd4j.gemm(newInverse, statistics.cross(), false, false);
            headDrift = RidgeSolver.relativeFrobenius(head, newHead);
            head = newHead;
        }
        inverse = newInverse;
        headCurrent = true;
        updatesSinceSymmetrise = 0;
        return new RebuildReport(headDrift, inverseDrift);
    }

    /** How far the recursive state had drifted from a direct solve when it was rebuilt. */
    public record RebuildReport(double headRelativeDrift, double inverseRelativeDrift) {
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("learner", "analytic-ridge");
        m.put("ridge.gamma", Double.toString(gamma));
        m.putAll(spec.describe());
        return m;
    }

    @Override
    public void writeState(DataOutputStream out) throws IOException {
        // R is written only when it is current: bringing it up to date here cost a re-inversion (d^3)
        // per snapshot on the stream's path, while the state that reads it back can re-invert it from
        // G when (and if) it is next needed.
        refreshHead();
        new AnalyticRidgeState(columns, retained, statistics.gram(), inverseBehind() ? null : inverse,
                statistics.cross(), head)
                .write(out, spec, d, gamma);
    }

    @Override
    public void readState(DataInputStream in) throws IOException {
        AnalyticRidgeState state = AnalyticRidgeState.read(in, spec, d, gamma, config());
        columns = state.columns();
        retained = state.retained();
        statistics = new RidgeStatistics(state.gram(), state.cross());
        inverse = state.inverse(); // null when it was written behind: re-inverted at the next refresh()
        head = state.head();
        headCurrent = true;
        updatesSinceSymmetrise = 0;
        pendingFeatures.clear();
        pendingCount = 0;
        inverseStale = inverse == null;
    }
}
