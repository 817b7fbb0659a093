package io.lethe.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NumericsCheckTest {

    @Test
    void theBackendTheBuildRunsOnComputesRightAnswers() {
        assertEquals(List.of(), NumericsCheck.problems(),
                "OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE"));
        NumericsCheck.verify();
    }

    @Test
    void anErrorAboveTheToleranceOrNaNIsAProblem() {
        List<String> problems = new ArrayList<>();
        NumericsCheck.check(problems, "exact", 1e-13, 1e-12);
        NumericsCheck.check(problems, "off", 0.49, 1e-12);
        NumericsCheck.check(problems, "not a number", Double.NaN, 1e-12);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("off is off by 0.49"), problems.get(0));
        assertTrue(problems.get(1).startsWith("not a number is off by NaN"), problems.get(1));
    }

    @Test
    void theFailureNamesWhatWasWrongAndTheRemedy() {
        String message = NumericsCheck.failure(List.of("double GEMM (X^T X) is off by 0.49"), null);
        assertTrue(message.contains("OPENBLAS_CORETYPE=unset"), message);
        assertTrue(message.contains("double GEMM (X^T X) is off by 0.49"), message);
        assertTrue(message.contains("OPENBLAS_CORETYPE=Haswell"), message);
    }
}
