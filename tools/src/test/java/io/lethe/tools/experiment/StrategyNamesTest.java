package io.lethe.tools.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Strategy names on the command line: replay, then a training strategy after a +. */
class StrategyNamesTest {

    @Test
    void aNameIsAReplayConfigurationAndAnOptionalTrainingStrategy() {
        assertEquals("none", RehearsalCommand.strategy("naive+ewc", 32, 2000, 0.5, "reservoir", 1).scheduler());
        assertEquals("uniform", RehearsalCommand.strategy("uniform+refresh", 32, 2000, 0.5, "reservoir", 1).scheduler());
        assertEquals("ewc", RehearsalCommand.plugin("naive+ewc", 1).name());
        assertEquals("hft", RehearsalCommand.plugin("power-law+hft", 1).name());
        assertNull(RehearsalCommand.plugin("uniform", 1));
        assertThrows(IllegalArgumentException.class, () -> RehearsalCommand.plugin("naive+lwf", 1));
        assertThrows(IllegalArgumentException.class, () -> RehearsalCommand.strategy("gem+l2", 32, 2000, 0.5, "reservoir", 1));
    }

    @Test
    void trainingStrategiesRunInKafkaModeTooAndAreCheckedBeforeAnyRun() {
        assertEquals(List.of("store+kfpf"), RehearsalCommand.Options.parse(List.of("--strategies", "store+kfpf", "--mode",
                "kafka")).strategies());
        assertThrows(IllegalArgumentException.class, () -> RehearsalCommand.Options.parse(
                List.of("--strategies", "naive+nope", "--mode", "kafka")));
        assertThrows(IllegalArgumentException.class, () -> RehearsalCommand.plugin("naive+none", 1));
    }

    @Test
    void theStrategiesCommandChecksEveryScenariosOptionsUpFront() {
        assertThrows(IllegalArgumentException.class, () -> new StrategiesCommand(List.of("--scenarios", "split,nonsense"),
                System.out));
        assertThrows(IllegalArgumentException.class, () -> new StrategiesCommand(List.of("--strategies", "naive+nope"),
                System.out));
        new StrategiesCommand(List.of("--scenarios", "split,permuted"), System.out); // the defaults are valid
    }

    @Test
    void theScoleCommandTakesTheSameStrategyNames() {
        assertEquals(List.of("naive", "uniform+ewc"), ScoleCommand.Options.parse(List.of("--strategies", "naive,uniform+ewc"))
                .strategies());
        assertThrows(IllegalArgumentException.class, () -> ScoleCommand.Options.parse(List.of("--strategies", "naive+x")));
        assertThrows(IllegalArgumentException.class, () -> ScoleCommand.Options.parse(List.of("--per-task", "1")));
    }
}
