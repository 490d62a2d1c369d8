package backpropcl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.bench.CorrectnessCheck;
import backpropcl.selftest.Role;
import backpropcl.testing.CommandRun;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The named tolerances hold the design's numbers, and what the commands print is what they use. */
class TolerancesTest {

    @Test
    void theNumbersAreTheDesigns() {
        // DESIGN.md, "Precision and tolerances": one step float32 against double at most 1e-5; after 100 SGD
        // steps the weights within 1e-4; a finite-difference gradient check of the reference in double 1e-6.
        assertEquals(1e-5, Tolerances.ONE_STEP_F32);
        assertEquals(1e-4, Tolerances.AFTER_STEPS_F32);
        assertEquals(1e-6, Tolerances.GRADIENT_CHECK_F64);
        assertEquals(1e-3, Tolerances.CORRECT_FRACTION_F32);
        assertEquals(10 * 1e-4, Tolerances.OPTIMIZER_STATE_AFTER_STEPS_F32);
    }

    @Test
    void eachTextFormIsItsNumber() {
        assertEquals(Tolerances.ONE_STEP_F32, Double.parseDouble(Tolerances.ONE_STEP_F32_TEXT));
        assertEquals(Tolerances.AFTER_STEPS_F32, Double.parseDouble(Tolerances.AFTER_STEPS_F32_TEXT));
        assertEquals(Tolerances.GRADIENT_CHECK_F64, Double.parseDouble(Tolerances.GRADIENT_CHECK_F64_TEXT));
        assertEquals(Tolerances.CORRECT_FRACTION_F32, Double.parseDouble(Tolerances.CORRECT_FRACTION_F32_TEXT));
    }

    @Test
    void selftestRolesAndTheBenchCheckUseThem() {
        for (Role r : Role.values()) {
            double want = switch (r) {
                case METRICS_CORRECT -> Tolerances.CORRECT_FRACTION_F32;
                case TRAINING -> Tolerances.AFTER_STEPS_F32;
                default -> Tolerances.ONE_STEP_F32;
            };
            assertEquals(want, r.tolerance(), r.label());
        }
        assertEquals(Tolerances.AFTER_STEPS_F32, CorrectnessCheck.TOLERANCE);
    }

    @Test
    void docsGpuSelftestTableShowsTheRolesTolerances() throws IOException {
        String doc = Files.readString(Path.of("docs/gpu.md"));
        for (Role r : Role.values()) {
            String row = doc.lines().filter(l -> l.startsWith("| " + r.label() + " |")).findFirst().orElseThrow(
                    () -> new AssertionError("docs/gpu.md has no row for " + r.label()));
            String last = row.substring(row.lastIndexOf('|', row.length() - 2) + 1, row.length() - 1).strip();
            assertEquals(r.tolerance(), Double.parseDouble(last), row);
        }
    }

    @Test
    void compareReportsTheToleranceItChecksAgainst() {
        CommandRun r = CommandRun.run("compare", "--engines", "reference,reference", "--steps", "2", "--arch", "784-8-10",
                "--train-samples", "100", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        int first = 0;
        int last = 0;
        for (JsonElement e : JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("rows")) {
            JsonObject row = e.getAsJsonObject();
            double t = row.get("tolerance").getAsDouble();
            if (row.get("step").getAsInt() == 1) {
                assertEquals(Tolerances.ONE_STEP_F32, t, row.toString());
                first++;
            } else {
                assertEquals(Tolerances.AFTER_STEPS_F32, t, row.toString());
                last++;
            }
        }
        assertTrue(first > 0 && last > 0, r.out());
    }

    @Test
    void benchReportsTheToleranceItChecksAgainst() {
        CommandRun r = CommandRun.run("bench", "--workloads", "W1", "--engines", "reference", "--epochs", "2",
                "--train-samples", "100", "--test-samples", "100", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(CorrectnessCheck.TOLERANCE, o.get("check_tolerance").getAsDouble());
        CommandRun text = CommandRun.run("bench", "--workloads", "W1", "--engines", "reference", "--epochs", "2",
                "--train-samples", "100", "--test-samples", "100");
        assertTrue(text.out().contains(String.format(Locale.ROOT, "weights within %.0e", Tolerances.AFTER_STEPS_F32)), text.out());
    }
}
