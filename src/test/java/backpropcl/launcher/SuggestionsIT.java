package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import backpropcl.testing.Launcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unknown options and commands name the one the user most likely meant (issue 13, part 6), as a
 * person meets them through ./backprop-cl: exit code 2, exactly one line on stderr, nothing on stdout.
 */
class SuggestionsIT {
    private static void says(String line, String... args) {
        Launcher.Run run = Launcher.of(args).run();
        assertEquals(2, run.code(), run.describe());
        assertEquals(List.of("backprop-cl: " + line), run.errLines(), run.describe());
        assertEquals("", run.out(), run.describe());
    }

    @Test
    void namesFromOtherLibrariesSuggestOurs() {
        says("Unknown option: '--learning-rate'; did you mean --lr? (see 'backprop-cl train --help')",
                "train", "--learning-rate", "0.1");
        says("Unknown options: '--learning_rate' (did you mean --lr?), '--batch-size' (did you mean --batch?), "
                + "'--num-epochs' (did you mean --epochs?) (see 'backprop-cl train --help')",
                "train", "--learning_rate=0.1", "--batch-size", "32", "--num-epochs", "5");
        says("Unknown option: '--weights'; did you mean --init-from? (see 'backprop-cl train --help')", "train", "--weights", "m");
        says("Unknown option: '--weights'; did you mean --model? (see 'backprop-cl evaluate --help')",
                "evaluate", "--weights", "m.safetensors");
        says("Unknown option: '--gpu'; did you mean '--engine opencl'? (see 'backprop-cl train --help')", "train", "--gpu");
    }

    @Test
    void spellingMistakesSuggestTheNearest() {
        says("Unknown option: '--epoch'; did you mean --epochs? (see 'backprop-cl train --help')", "train", "--epoch", "3");
        says("Unknown option: '--ep'; did you mean --epochs or --epsilon? (see 'backprop-cl train --help')", "train", "--ep", "3");
        says("Unknown option: '--seeed'; did you mean --seed? (see 'backprop-cl train --help')", "train", "--seeed", "3");
        says("Unknown option: '-lr'; did you mean --lr? (see 'backprop-cl train --help')", "train", "-lr", "0.1");
        // A mistyped required option is the mistake, not the required option it hides.
        says("Unknown option: '--mdoel'; did you mean --model? (see 'backprop-cl predict --help')",
                "predict", "--mdoel", "m.safetensors", "digit.png");
        says("Unknown option: '--shuffle'; that is the default; --no-shuffle turns it off (see 'backprop-cl train --help')",
                "train", "--shuffle");
    }

    @Test
    void unknownCommandsSuggestTheNearest() {
        says("Unknown command: 'trian'; did you mean train? (see 'backprop-cl --help')", "trian", "--epochs", "3");
        says("Unknown command: 'fit'; did you mean train? (see 'backprop-cl --help')", "fit");
        says("Unknown command: 'eval'; did you mean evaluate? (see 'backprop-cl --help')", "eval", "--model", "m.safetensors");
        says("Unknown command: 'trian'; did you mean train? (see 'backprop-cl --help')", "help", "trian");
        // picocli answered these with the top-level help or version and exit 0, before it looked at 'trian'.
        says("Unknown command: 'trian'; did you mean train? (see 'backprop-cl --help')", "trian", "--help");
        says("Unknown command: 'trian'; did you mean train? (see 'backprop-cl --help')", "trian", "-V");
        says("Unknown option: '--epochs'; did you mean 'backprop-cl train --epochs'? (see 'backprop-cl --help')", "--epochs", "3");
    }

    @Test
    void withNothingNearTheLineStaysShort() {
        says("Unknown option: '--bogus' (see 'backprop-cl train --help')", "train", "--bogus");
        says("Unknown command: 'frobnicate' (see 'backprop-cl --help')", "frobnicate");
        says("Unexpected argument: 'extra' (see 'backprop-cl train --help')", "train", "extra");
    }
}
