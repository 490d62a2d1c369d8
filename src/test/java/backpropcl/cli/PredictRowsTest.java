package backpropcl.cli;

import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Preprocessing;
import backpropcl.io.ModelFile;
import backpropcl.model.Inference;
import backpropcl.testing.CommandRun;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} on table rows (issue 13, parts 2 and 3): a model trained here on iris, with an
 * explicit test file (iris-test.csv beside iris.csv, every fifth row), predicts that file's rows as
 * {@code evaluate} scores them, sees its rows normalised as in training, and refuses rows of
 * another width.
 */
class PredictRowsTest {
    @TempDir
    static Path dir;

    static Path model;
    static Path test;
    /** The test file's data rows, as written (a header first). */
    static List<String> testRows = new ArrayList<>();

    @BeforeAll
    static void train() throws IOException {
        List<String> lines;
        try (InputStream in = PredictRowsTest.class.getResourceAsStream("/uci/iris.csv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<String> train = new ArrayList<>(List.of(lines.get(0)));
        List<String> held = new ArrayList<>(List.of(lines.get(0)));
        for (int i = 1; i < lines.size(); i++) {
            (i % 5 == 0 ? held : train).add(lines.get(i));
        }
        testRows.addAll(held.subList(1, held.size()));
        Path data = Files.write(dir.resolve("iris.csv"), train);
        test = Files.write(dir.resolve("iris-test.csv"), held);
        model = dir.resolve("iris.safetensors");
        CommandRun r = run("train", "--data", data.toString(), "--label-column", "last", "--normalize", "standard",
                "--engine", "cpu", "--epochs", "10", "--output", "softmax", "--cost", "cross-entropy", "--save", model.toString());
        assertEquals(0, r.code(), r.err() + r.out());
    }

    private static JsonArray json(String... args) {
        CommandRun r = run(args);
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonArray();
    }

    @Test
    void theTestFilesRowsScoreAsEvaluateScoresThem() {
        CommandRun eval = run("evaluate", "--model", model.toString());
        assertEquals(0, eval.code(), eval.err());
        Matcher m = Pattern.compile("accuracy ([0-9.]+) \\((\\d+)/(\\d+)\\)").matcher(eval.out());
        assertTrue(m.find(), eval.out());
        assertEquals(testRows.size(), Integer.parseInt(m.group(3)), "evaluate scores the explicit test file: " + eval.out());
        JsonArray got = json("predict", "--model", model.toString(), "--json", test.toString());
        assertEquals(testRows.size(), got.size());
        int right = 0;
        for (int i = 0; i < got.size(); i++) {
            JsonObject o = got.get(i).getAsJsonObject();
            assertEquals(test + ":" + (i + 2), o.get("input").getAsString(), "FILE:LINE, the header on line 1");
            String species = testRows.get(i).substring(testRows.get(i).lastIndexOf(',') + 1);
            assertEquals(species, o.get("label_name").getAsString());
            right += o.get("class").getAsInt() == o.get("label").getAsInt() ? 1 : 0;
        }
        assertEquals(Integer.parseInt(m.group(2)), right, "predict's answers against evaluate's " + eval.out());
        assertTrue(right >= 24, right + " of 30: the model learnt iris, so the comparison means something");
    }

    @Test
    void aRowTypedInlineAndTheSameRowWithoutItsLabelAgreeAndAreNamed() throws IOException {
        String row = testRows.get(0);   // 5.0,3.6,1.4,0.2,setosa or so: the first setosa held out
        String features = row.substring(0, row.lastIndexOf(','));
        Path bare = Files.writeString(dir.resolve("bare.csv"), features + "\n");
        CommandRun inline = run("predict", "--model", model.toString(), "--top", "2", features);
        CommandRun file = run("predict", "--model", model.toString(), "--top", "2", bare.toString());
        CommandRun labelled = run("predict", "--model", model.toString(), "--top", "2", test.toString());
        assertEquals(0, inline.code(), inline.err());
        String answer = inline.out().strip().substring(features.length());
        assertTrue(answer.matches(": setosa \\(\\d\\.\\d\\d\\), (versicolor|virginica) \\(\\d\\.\\d\\d\\)"), inline.out());
        assertEquals(bare + ":1" + answer, file.out().strip(), "a file without a header or labels: line 1 is a row");
        assertEquals(test + ":2" + answer + "; label setosa", labelled.out().lines().findFirst().orElseThrow());
    }

    @Test
    void rowsAreNormalisedAsInTraining() {
        ModelFile.Saved saved = ModelFile.load(model);
        Preprocessing standard = ModelData.preprocessing(model, saved.metadata());
        float[] x = features(testRows);
        double[] want = Inference.probabilities(saved.parameters(), standard.apply(x), testRows.size());
        double[] raw = Inference.probabilities(saved.parameters(), x, testRows.size());
        JsonArray got = json("predict", "--model", model.toString(), "--json", "--top", "3", test.toString());
        double[] seen = new double[want.length];
        for (int r = 0; r < got.size(); r++) {
            for (JsonElement e : got.get(r).getAsJsonObject().getAsJsonArray("top")) {
                seen[rowOffset(e, r)] = e.getAsJsonObject().get("probability").getAsDouble();
            }
        }
        assertArrayEquals(want, seen, 1e-6, "the rows scaled by the model's standard normalisation");
        double apart = 0;
        for (int i = 0; i < want.length; i++) {
            apart = Math.max(apart, Math.abs(raw[i] - seen[i]));
        }
        assertTrue(apart > 0.1, "raw features would give other answers: the check can fail (" + apart + ")");
    }

    @Test
    void rowsOfAnotherWidthAreRefusedInOneLine() throws IOException {
        Path three = Files.writeString(dir.resolve("three.csv"), "a,b,c\n1,2,3\n");
        Path six = Files.writeString(dir.resolve("six.csv"), "1,2,3,4,5,6\n");
        String[][] cases = {
            {"1,2,3", "1,2,3: a row of 3 numbers, but " + model + " takes 4 features"},
            {"1,2,3,4,5", "1,2,3,4,5: a row of 5 numbers, but " + model + " takes 4 features"},
            {three.toString(), three + ": line 2: has 3 fields, but " + model + " takes 4 features; expected 4 fields, or 5 "
                + "with the label"},
            {six.toString(), six + ": line 1: has 6 fields, but " + model + " takes 4 features; expected 4 fields, or 5 "
                + "with the label"},
            {"1,2,x,4", null},
        };
        for (String[] c : cases) {
            CommandRun r = run("predict", "--model", model.toString(), test.toString(), c[0]);
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertEquals("", r.out(), c[0] + ": printed predictions before the error");
            assertEquals(1, r.err().strip().lines().count(), r.err());
            if (c[1] != null) {
                assertEquals("backprop-cl: " + c[1], r.err().strip());
            }
        }
        CommandRun shown = run("predict", "--model", model.toString(), "--show-input", dir.resolve("seen").toString(), "1,2,3,4");
        assertEquals(2, shown.code(), shown.err());
        assertTrue(shown.err().contains("table rows are no images"), shown.err());
    }

    /** Where class e of answer r goes in a row-major array of 3 classes per row. */
    private static int rowOffset(JsonElement e, int r) {
        return r * 3 + e.getAsJsonObject().get("class").getAsInt();
    }

    /** The features of rows "f1,f2,f3,f4,label", row after row. */
    private static float[] features(List<String> rows) {
        float[] x = new float[rows.size() * 4];
        for (int r = 0; r < rows.size(); r++) {
            String[] f = rows.get(r).split(",");
            for (int j = 0; j < 4; j++) {
                x[r * 4 + j] = Float.parseFloat(f[j].trim());
            }
        }
        return x;
    }
}
