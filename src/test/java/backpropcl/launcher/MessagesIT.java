package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.Launcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clear messages (issue 12, family 9) as a person meets them: through ./backprop-cl, exit code 2,
 * exactly one line on stderr with the exact text, nothing on stdout, and no file changed.
 */
class MessagesIT {
    private static final String CSV = "0,0.1,0.2\n1,0.9,0.8\n0,0.2,0.1\n1,0.8,0.9\n0,0.1,0.1\n1,0.9,0.9\n";
    private static final String DATA = "données";
    private static final String MODEL = "модель.safetensors";

    @TempDir
    Path dir;

    /** Runs the launcher in {@code dir} and checks that it refused with exactly {@code line} and touched nothing. */
    private void refused(Launcher launcher, String line) {
        Refusals.refused(dir, launcher, line);
    }

    /** A good model in the folder that a refused --save must leave as it is. */
    private Path aModel() {
        Launcher.Run run = Launcher.of("train", "--data", "points:moons:40", "--arch", "2-3-2", "--epochs", "1", "--engine",
                "reference", "--save", "kept.safetensors").in(dir).run();
        assertEquals(0, run.code(), run.describe());
        return dir.resolve("kept.safetensors");
    }

    @Test
    void numberOptionsAreReportedAsTyped() {
        aModel();
        String[] base = {"train", "--data", "points:moons:40", "--arch", "2-3-2", "--epochs", "1", "--engine", "reference",
            "--save", "kept.safetensors"};
        refused(Launcher.of(with(base, "--l2", "NaN")), "--l2 must be a finite number >= 0, got NaN");
        refused(Launcher.of(with(base, "--weight-decay", "Infinity")), "--weight-decay must be a finite number >= 0, got Infinity");
        refused(Launcher.of(with(base, "--lr", "1e-400")),
                "--lr 1e-400 is too small for a double (rounds to 0); give a learning rate > 0");
        refused(Launcher.of("compare", "--engines", "reference,reference", "--drift-tolerance", "-1e-4"),
                "--drift-tolerance must be a finite number >= 0, got -1e-4");
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** The test JVM must be able to name the files itself; it can when it runs in a UTF-8 locale, as the build does. */
    private static void needUtf8Names() {
        Assumptions.assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
                "the test JVM's file names are " + System.getProperty("sun.jnu.encoding") + ", not UTF-8: run the build in a UTF-8 locale");
    }

    @Test
    void nonAsciiNamesWorkUnderTheCLocale() throws IOException {
        needUtf8Names();
        Files.createDirectory(dir.resolve(DATA));
        Files.writeString(dir.resolve(DATA).resolve("x.csv"), CSV, StandardCharsets.UTF_8);
        String data = DATA + "/x.csv";
        // LC_ALL=C (the launcher sets LC_ALL=C.UTF-8), and LANG=C alone (it sets LC_CTYPE=C.UTF-8).
        for (String[] locale : new String[][] {{"C", "C"}, {"C", ""}, {"POSIX", ""}}) {
            Files.deleteIfExists(dir.resolve(MODEL));
            Launcher.Run train = Launcher.of("train", "--data", data, "--arch", "2-3-2", "--epochs", "1", "--engine", "reference",
                    "--save", MODEL).in(dir).env("LANG", locale[0]).env("LC_ALL", locale[1]).env("LC_CTYPE", "").run();
            assertEquals(0, train.code(), train.describe());
            assertTrue(train.out().contains("saved " + MODEL), train.describe());
            assertTrue(Files.size(dir.resolve(MODEL)) > 0, train.describe());
            Launcher.Run evaluate = Launcher.of("evaluate", "--model", MODEL, "--data", data, "--engine", "reference").in(dir)
                    .env("LANG", locale[0]).env("LC_ALL", locale[1]).env("LC_CTYPE", "").run();
            assertEquals(0, evaluate.code(), evaluate.describe());
            assertTrue(evaluate.out().startsWith(MODEL + " on x test: accuracy"), evaluate.describe());
        }
        // A message shows such a name as it was typed.
        refused(Launcher.of("train", "--data", DATA + "/nope.csv", "--arch", "2-3-2").env("LANG", "C").env("LC_ALL", "C"),
                "--data '" + DATA + "/nope.csv': no such data set or directory (expected mnist-10k, mnist, fashion-mnist, "
                        + "points:moons|circles|xor|spiral, a directory of IDX files or of one folder of images per class, or a .csv file)");
    }

    @Test
    void withoutCUtf8TheNameIsExplained() throws IOException {
        needUtf8Names();
        // A system without C.UTF-8: a locale(1) that knows ASCII only, so the launcher leaves the locale as it is.
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path locale = Files.writeString(bin.resolve("locale"), "#!/bin/sh\necho ANSI_X3.4-1968\n");
        Files.setPosixFilePermissions(locale, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(dir.resolve(DATA));
        Files.writeString(dir.resolve(DATA).resolve("x.csv"), CSV, StandardCharsets.UTF_8);
        aModel();
        Files.copy(dir.resolve("kept.safetensors"), dir.resolve(MODEL));
        String path = bin + ":" + System.getenv("PATH");
        String why = ": the name cannot be represented in this system's character set (ANSI_X3.4-1968, from LC_ALL=C); "
                + "set LC_ALL=C.UTF-8, or another UTF-8 locale that 'locale -a' lists";
        // Each byte of a character that ASCII lacks reaches Java as one U+FFFD, shown as '?': 12 for модель's 6 letters.
        String model = "?".repeat(12) + ".safetensors";
        refused(Launcher.of("train", "--data", "points:moons:40", "--arch", "2-3-2", "--save", MODEL)
                .env("PATH", path).env("LANG", "C").env("LC_ALL", "C"), "--save '" + model + "'" + why);
        refused(Launcher.of("evaluate", "--model", MODEL).env("PATH", path).env("LANG", "C").env("LC_ALL", "C"),
                "--model '" + model + "'" + why);
        refused(Launcher.of("train", "--data", DATA + "/x.csv", "--arch", "2-3-2").env("PATH", path).env("LANG", "C").env("LC_ALL", "C"),
                "--data 'donn??es/x.csv'" + why);
        refused(Launcher.of("train", "--data", DATA + "/x.csv", "--arch", "2-3-2").env("PATH", path).env("LANG", "C")
                .env("LC_ALL", "").env("LC_CTYPE", ""),
                "--data 'donn??es/x.csv': the name cannot be represented in this system's character set (ANSI_X3.4-1968, from "
                        + "LANG=C); set LANG=C.UTF-8, or another UTF-8 locale that 'locale -a' lists");
    }
}
