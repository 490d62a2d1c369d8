package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import backpropcl.testing.Launcher;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What a refused command line owes the user: exit 2, exactly one stderr line, no output, and no file in its folder changed. */
final class Refusals {
    private Refusals() {
    }

    /** Runs {@code launcher} in {@code dir} and checks that it refused with exactly {@code line} and touched nothing. */
    static void refused(Path dir, Launcher launcher, String line) {
        Map<Path, String> before = Launcher.hashes(dir);
        Launcher.Run run = launcher.in(dir).run();
        assertEquals(2, run.code(), run.describe());
        assertEquals(List.of("backprop-cl: " + line), run.errLines(), run.describe());
        assertEquals("", run.out(), run.describe());
        assertEquals(before, Launcher.hashes(dir), run.describe() + "\nfiles changed");
    }
}
