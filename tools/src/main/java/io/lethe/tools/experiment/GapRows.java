package io.lethe.tools.experiment;

import io.lethe.learning.metrics.StabilityGap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stability gaps as the rows of the commands' JSON summaries. */
public final class GapRows {

    private GapRows() {
    }

    public static List<Map<String, Object>> of(List<StabilityGap.Gap> gaps) {
        return gaps.stream().map(GapRows::row).toList();
    }

    private static Map<String, Object> row(StabilityGap.Gap gap) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("new_task", gap.newTask());
        row.put("transition_step", gap.transitionStep());
        row.put("old_task", gap.oldTask());
        row.put("before", gap.before());
        row.put("minimum", gap.minimum());
        row.put("depth", gap.depth());
        row.put("recovery_examples", gap.recoverySteps());
        return row;
    }
}
