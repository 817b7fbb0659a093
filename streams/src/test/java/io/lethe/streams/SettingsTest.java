package io.lethe.streams;

import static io.lethe.streams.TestData.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The settings table is the one source: of the defaults, the rules and the README. */
class SettingsTest {

    @Test
    void theReadmeShowsExactlyTheSettingsTable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains(Settings.markdownTable()),
                "README.md's settings table differs from Settings.ALL: regenerate it with scripts/lethe settings --markdown");
    }

    @Test
    void everySettingHasOneNameAValidDefaultAndAMeaning() {
        Set<String> names = new HashSet<>();
        for (Setting<?> setting : Settings.ALL) {
            assertTrue(names.add(setting.name()), "defined twice: " + setting.name());
            assertTrue(!setting.meaning().isBlank(), setting.name());
            setting.read(Map.of()); // the default is allowed by its own rule
        }
    }

    @Test
    void aValueOutsideTheRuleNamesTheSettingTheRuleAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Settings.REPLAY_CAPACITY.read(Map.of("lethe.replay.capacity", "0")));
        assertEquals("lethe.replay.capacity must be at least 1, got '0'", e.getMessage());
        IllegalArgumentException all = assertThrows(IllegalArgumentException.class, () -> LetheConfig.from(settings(
                "lethe.metrics.port", "-7", "lethe.holdout.percent", "60", "lethe.learner", "mlp")));
        assertTrue(all.getMessage().contains("lethe.metrics.port must be -1 (off)")
                && all.getMessage().contains("lethe.holdout.percent must lie in [0.0, 50.0)"), all.getMessage());
    }

}
