package io.lethe.streams;

import static io.lethe.streams.TestData.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class LetheConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        LetheConfig config = LetheConfig.from(new Properties());
        assertTrue(config.embeddedBroker());
        assertEquals(1536, config.featureMap().outputDim());
        assertEquals(1.0, config.ridgeGamma());
        assertEquals(10, config.maxClasses());
    }

    @Test
    void badSettingsFailAtStartUpWithMessagesThatSayWhatToFix() {
        IllegalArgumentException gamma = assertThrows(IllegalArgumentException.class,
                () -> LetheConfig.from(settings("lethe.ridge.gamma", "-1")));
        assertTrue(gamma.getMessage().contains("lethe.ridge.gamma"), gamma.getMessage());

        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> LetheConfig.from(settings("lethe.ridge.gama", "1")));
        assertTrue(unknown.getMessage().contains("unknown setting 'lethe.ridge.gama'"), unknown.getMessage());

        IllegalArgumentException map = assertThrows(IllegalArgumentException.class,
                () -> LetheConfig.from(settings("lethe.feature.map", "pca")));
        assertTrue(map.getMessage().contains("random-conv or dense-relu"), map.getMessage());

        IllegalArgumentException square = assertThrows(IllegalArgumentException.class,
                () -> LetheConfig.from(settings("lethe.input.dim", "100000", "lethe.feature.map", "random-conv",
                        "lethe.input.dim", "785")));
        assertTrue(square.getMessage().contains("square"), square.getMessage());

        IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
                () -> LetheConfig.from(settings("lethe.max.classes", "ten")));
        assertTrue(number.getMessage().contains("not a number"), number.getMessage());

        IllegalArgumentException several = assertThrows(IllegalArgumentException.class,
                () -> LetheConfig.from(settings("lethe.learn.batch.size", "0", "lethe.model.name", "a/b")));
        assertTrue(several.getMessage().contains("lethe.learn.batch.size") && several.getMessage().contains("lethe.model.name"),
                several.getMessage());

        IllegalArgumentException endpoints = assertThrows(IllegalArgumentException.class,
                () -> LetheConfig.from(settings("lethe.dashboard.port", "70000", "lethe.application.id", "my app",
                        "lethe.dashboard.bind", " ")));
        assertTrue(endpoints.getMessage().contains("lethe.dashboard.port") && endpoints.getMessage().contains(
                "lethe.application.id") && endpoints.getMessage().contains("lethe.dashboard.bind"), endpoints.getMessage());
    }

    @Test
    void badRehearsalSettingsFailAtStartUpNamingTheSetting() {
        for (String[] bad : new String[][] {
                {"lethe.rehearsal.exponent", "-0.5", "exponent"},
                {"lethe.replay.capacity", "0", "capacity"},
                {"lethe.replay.policy", "fifo", "unknown replay storage policy 'fifo'"},
                {"lethe.rehearsal.scheduler", "often", "unknown rehearsal scheduler 'often'"},
                {"lethe.learner", "svm", "lethe.learner must be analytic or mlp"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LetheConfig.from(settings("lethe.learner", bad[0].equals("lethe.learner") ? bad[1] : "mlp",
                            bad[0], bad[1])));
            assertTrue(e.getMessage().contains(bad[2]) && e.getMessage().contains("invalid Lethe configuration"),
                    e.getMessage());
        }
        LetheConfig mlp = LetheConfig.from(settings("lethe.learner", "mlp"));
        assertEquals(LetheConfig.MLP, mlp.learnerKind());
        assertEquals(32, mlp.learner().batchSize(), "the MLP steps on lethe.mlp.batch.size examples");
        assertEquals(1, mlp.learner().threads(), "one ND4J thread by default for the MLP");
        assertEquals("uniform", mlp.learner().rehearsal().describe().get("rehearsal.scheduler"));
    }
}
