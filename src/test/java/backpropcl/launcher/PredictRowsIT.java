package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's iris example through the real launcher: a model trained on a CSV file predicts
 * table rows, from a CSV file and typed inline, and refuses a row of another width with exit 2 and
 * one line.
 */
class PredictRowsIT {
    @TempDir
    Path dir;

    @Test
    void aModelTrainedOnACsvFilePredictsRowsAndRefusesAnotherWidth() throws IOException {
        String iris = Launcher.projectRoot().resolve("src/test/resources/uci/iris.csv").toString();
        Launcher.Run train = Launcher.of("train", "--data", iris, "--label-column", "last", "--engine", "cpu", "--epochs", "10",
                "--no-progress", "--save", "iris.safetensors").in(dir).run();
        assertEquals(0, train.code(), train.describe());
        Files.write(dir.resolve("rows.csv"), List.of("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),species",
                "5.1,3.5,1.4,0.2,setosa", "6.7,3.0,5.2,2.3,virginica"));

        Launcher.Run rows = Launcher.of("predict", "--model", "iris.safetensors", "--top", "1", "rows.csv", "5.1,3.5,1.4,0.2")
                .in(dir).run();
        assertEquals(0, rows.code(), rows.describe());
        List<String> lines = rows.out().lines().toList();
        assertEquals(3, lines.size(), rows.describe());
        assertTrue(lines.get(0).matches("rows\\.csv:2: setosa \\((score )?\\d\\.\\d\\d\\)(; low confidence)?; label setosa"),
                rows.describe());
        assertTrue(lines.get(1).matches("rows\\.csv:3: virginica \\((score )?\\d\\.\\d\\d\\)(; low confidence)?; label virginica"),
                rows.describe());
        assertEquals(lines.get(0).replace("rows.csv:2", "5.1,3.5,1.4,0.2").replace("; label setosa", ""), lines.get(2));
        assertEquals("", rows.err(), rows.describe());

        Launcher.Run wide = Launcher.of("predict", "--model", "iris.safetensors", "rows.csv", "5.1,3.5,1.4,0.2,7").in(dir).run();
        assertEquals(2, wide.code(), wide.describe());
        assertEquals("", wide.out(), wide.describe());
        assertEquals(List.of("backprop-cl: 5.1,3.5,1.4,0.2,7: a row of 5 numbers, but iris.safetensors takes 4 features"),
                wide.errLines(), wide.describe());
    }
}
