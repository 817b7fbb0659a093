package io.lethe.tools.demo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** What the demo measured; written to var/demo-summary.json. Accuracies are in percent. */
public record DemoSummary(
        @JsonProperty("final_accuracy") double finalAccuracy,
        @JsonProperty("joint_ridge_accuracy") double jointRidgeAccuracy,
        @JsonProperty("accuracy_gap_points") double accuracyGapPoints,
        @JsonProperty("exactness_residual") double exactnessResidual,
        @JsonProperty("examples_learned") long examplesLearned,
        @JsonProperty("examples_retained") long examplesRetained,
        @JsonProperty("learn_examples_per_s") double learnExamplesPerSecond,
        @JsonProperty("learn_steady_examples_per_s") double learnSteadyExamplesPerSecond,
        @JsonProperty("erasures_requested") int erasuresRequested,
        @JsonProperty("receipts") int receipts,
        @JsonProperty("erasure_p50_ms") double erasureP50Ms,
        @JsonProperty("erasure_p99_ms") double erasureP99Ms,
        @JsonProperty("erasure_max_ms") double erasureMaxMs,
        @JsonProperty("class_erasure_ms") double classErasureMs,
        @JsonProperty("erasure_latencies_ms") List<Double> erasureLatenciesMs,
        @JsonProperty("erased_subjects") int erasedSubjects,
        @JsonProperty("erased_class") int erasedClass,
        @JsonProperty("accuracy_after_task") List<Map<String, Double>> accuracyAfterTask,
        @JsonProperty("model_versions") long modelVersions,
        @JsonProperty("final_model_version") long finalModelVersion,
        @JsonProperty("feature_map") Map<String, String> featureMap,
        @JsonProperty("ridge_gamma") double ridgeGamma,
        @JsonProperty("continual_evaluation") Map<String, Object> continualEvaluation,
        @JsonProperty("learner_evaluations") Map<String, Object> learnerEvaluations,
        @JsonProperty("replay_model") Map<String, Object> replayModel,
        @JsonProperty("replay_heldout_accuracy_after_erasure") Double replayHeldoutAccuracyAfterErasure,
        @JsonProperty("replay_erased_class_accuracy_after_erasure") Double replayErasedClassAccuracyAfterErasure,
        @JsonProperty("replay_unlearning_path") String replayUnlearningPath,
        @JsonProperty("dashboard_url") String dashboardUrl,
        @JsonProperty("scenario") String scenario,
        @JsonProperty("wall_seconds") double wallSeconds) {
}
