package backpropcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The layout of help descriptions and footers at any width (issue 13, part 6). */
class HelpTextTest {
    private static final String LONG = "  backprop-cl train --arch 784-128-64-10 --activation relu --cost cross-entropy --init he "
            + "--optimizer adam --lr 0.001 --lr-schedule cosine --batch 32 --epochs 20";

    private static List<String> layout(int width, String... elements) {
        List<String> lines = HelpText.layout(elements, width);
        for (String l : lines) {
            assertTrue(l.length() <= width, "wider than " + width + ": '" + l + "' in\n" + String.join("\n", lines));
        }
        return lines;
    }

    /** The lines as a shell reads them: continuations joined, words split. */
    private static List<String> shellWords(List<String> lines) {
        return List.of(String.join("\n", lines).replace(" \\\n", " ").strip().split(" +"));
    }

    @Test
    void aLineThatFitsStaysAsItIs() {
        String aligned = "  backprop-cl plot run.csv              # plots/loss.png, plots/accuracy.png";
        assertEquals(List.of(aligned, "", "  W1  784-16-16-10"), layout(80, aligned, "", "  W1  784-16-16-10"));
    }

    @Test
    void anExampleBreaksBetweenArgumentsAndStillPastes() {
        for (int width : new int[] {55, 60, 80, 100}) {
            List<String> lines = layout(width, LONG);
            assertEquals(shellWords(List.of(LONG)), shellWords(lines), "width " + width);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                assertEquals(i < lines.size() - 1, l.endsWith(" \\"), "only broken lines end in a backslash: " + lines);
                assertTrue(i == 0 ? l.startsWith("  backprop-cl train ") : l.startsWith("      --"), "indent: " + lines);
                assertTrue(!l.matches(".*--[a-z-]+ \\\\$"), "an option is kept with its value: " + lines);
            }
        }
        assertEquals(List.of(
                "  backprop-cl train --arch 784-128-64-10 --activation relu \\",
                "      --cost cross-entropy --init he --optimizer adam --lr 0.001 \\",
                "      --lr-schedule cosine --batch 32 --epochs 20"), layout(80, LONG));
    }

    @Test
    void aCommentEndsTheLastLineOrGoesAbove() {
        String ex = "  backprop-cl train --data fashion-mnist --save fashion.safetensors  # the model";
        assertEquals(List.of("  backprop-cl train --data fashion-mnist \\", "      --save fashion.safetensors  # the model"),
                layout(60, ex));
        assertEquals(List.of("  # Ctrl-C stops after this batch", "  backprop-cl train --checkpoint-dir run1"),
                layout(60, "  backprop-cl train --checkpoint-dir run1      # Ctrl-C stops after this batch"));
        assertEquals(List.of("  backprop-cl predict --model m.safetensors \\", "      idx:data/t10k-images-idx3-ubyte.gz#0"),
                layout(60, "  backprop-cl predict --model m.safetensors idx:data/t10k-images-idx3-ubyte.gz#0"),
                "a # inside a word is not a comment");
    }

    @Test
    void andOrPipeEndTheLineBeforeTheNextCommand() {
        assertEquals(List.of("  backprop-cl train --save digits.safetensors && \\",
                        "      backprop-cl evaluate --model digits.safetensors"),
                layout(60, "  backprop-cl train --save digits.safetensors && backprop-cl evaluate --model digits.safetensors"));
    }

    @Test
    void aHandBrokenExampleIsJoinedFirst() {
        assertEquals(layout(80, LONG), layout(80, "  backprop-cl train --arch 784-128-64-10 --activation relu --cost cross-entropy \\",
                "      --init he --optimizer adam --lr 0.001 --lr-schedule cosine --batch 32 --epochs 20"));
    }

    @Test
    void prose() {
        assertEquals(List.of("  sgd 3.0 for the lesson network (sigmoid hidden", "  layers, quadratic cost)"),
                layout(55, "  sgd 3.0 for the lesson network (sigmoid hidden layers, quadratic cost)"), "hangs at its indent");
        assertEquals(List.of("  GFLOP/s          matrix FLOPs per epoch / that",
                        "                   median; per sample and layer"),
                layout(55, "  GFLOP/s          matrix FLOPs per epoch / that median; per sample and layer"), "a row hangs at its text");
        assertEquals(List.of("a", "b", "50% done"), layout(55, "a%nb", "50%% done"), "picocli's %n and %%");
    }

    @Test
    void columnsIsAWidthOnlyWhenItIsANumber() {
        assertEquals(120, HelpWidth.columns("120"));
        assertNull(HelpWidth.columns(null));
        assertNull(HelpWidth.columns("wide"));
        assertNull(HelpWidth.columns("0"));
        assertNull(HelpWidth.columns("-80"));
        assertEquals(55, HelpWidth.bounded(20));
        assertEquals(100, HelpWidth.bounded(300));
        assertEquals(72, HelpWidth.bounded(72));
    }
}
