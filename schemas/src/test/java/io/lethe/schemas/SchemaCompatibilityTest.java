package io.lethe.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fails the build when a schema change breaks backward compatibility: data written with the
 * previous released version (kept under src/test/resources/schemas/v1) must stay readable with the
 * current schema, checked by Avro's own compatibility checker.
 */
class SchemaCompatibilityTest {

    static final List<String> TOP_LEVEL = List.of("TrainingExample", "ErasureRequest", "LearnerCommand",
            "ModelVersion", "ErasureReceipt", "EvaluationReport", "DeadLetter");

    static Stream<String> schemas() {
        return TOP_LEVEL.stream();
    }

    private static Schema previous(String name) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        // Named types other schemas refer to must be parsed first.
        for (String dependency : List.of("ErasureScope", "SourcePosition", "TrainingExample", "ErasureRequest")) {
            if (!dependency.equals(name)) {
                try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream("/schemas/v1/" + dependency + ".avsc")) {
                    parser.parse(in);
                }
            }
        }
        if (parser.getTypes().containsKey("io.lethe.schemas." + name)) {
            return parser.getTypes().get("io.lethe.schemas." + name);
        }
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream("/schemas/v1/" + name + ".avsc")) {
            return parser.parse(in);
        }
    }

    private static Schema current(String name) throws Exception {
        Class<?> type = Class.forName("io.lethe.schemas." + name);
        return (Schema) type.getField("SCHEMA$").get(null);
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void currentSchemaReadsDataWrittenWithThePreviousVersion(String name) throws Exception {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(current(name), previous(name));
        assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
                name + " is not backward compatible with v1: " + result.getDescription());
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void everyTopLevelSchemaHasAPreviousVersionOnFile(String name) {
        assertTrue(Files.exists(Path.of("src/test/resources/schemas/v1/" + name + ".avsc")),
                "keep the released version of " + name + " under src/test/resources/schemas/v1");
    }

    @org.junit.jupiter.api.Test
    void theCheckerCatchesABreakingChange() throws Exception {
        // A required field added without a default cannot be read from old data: the check must say so.
        Schema old = previous("DeadLetter");
        String breaking = current("DeadLetter").toString().replace("{\"name\":\"reason\"",
                "{\"name\":\"severity\",\"type\":\"int\"},{\"name\":\"reason\"");
        Schema changed = new Schema.Parser().parse(breaking);
        assertEquals(SchemaCompatibilityType.INCOMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(changed, old).getType());
    }
}
