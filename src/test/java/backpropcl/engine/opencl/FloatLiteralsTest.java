package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No double-precision literal in the float kernels: in OpenCL C an unsuffixed 0.5 or 1e-5 is a
 * double, which turns the expression around it into double arithmetic (slow on most GPUs, and a
 * build error on a device without cl_khr_fp64), or is rounded to float in a way the host's float
 * does not see. Every floating literal in kernels/*.cl outside comments and strings must carry
 * the f suffix.
 */
class FloatLiteralsTest {
    /** A C floating literal (digits with a point or an exponent), with its suffix, not part of a name. */
    private static final Pattern FLOATING = Pattern.compile("(?<![\\w.])((?:\\d+\\.\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|\\d+[eE][+-]?\\d+)([fF]?)");
    private static final Pattern COMMENT_OR_STRING = Pattern.compile("/\\*.*?\\*/|//[^\\n]*|\"[^\"\\n]*\"", Pattern.DOTALL);

    /** "file:line literal" for each unsuffixed floating literal of {@code source}. */
    static List<String> doubleLiterals(String file, String source) {
        // Comments and strings become blanks of the same lines, so line numbers stay.
        Matcher blank = COMMENT_OR_STRING.matcher(source);
        StringBuilder code = new StringBuilder();
        while (blank.find()) {
            blank.appendReplacement(code, blank.group().replaceAll("[^\\n]", " "));
        }
        blank.appendTail(code);
        List<String> out = new ArrayList<>();
        Matcher m = FLOATING.matcher(code);
        while (m.find()) {
            if (m.group(2).isEmpty()) {
                long line = code.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                out.add(file + ":" + line + " " + m.group(1));
            }
        }
        return out;
    }

    @Test
    void everyKernelFileHasFloatLiteralsOnly() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("kernels"))) {
            files = s.filter(p -> p.toString().endsWith(".cl")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no kernels/*.cl found from " + Path.of("").toAbsolutePath());
        List<String> found = new ArrayList<>();
        for (Path f : files) {
            found.addAll(doubleLiterals(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8)));
        }
        assertEquals(List.of(), found, "double-precision literals in float kernels (add the f suffix)");
    }

    @Test
    void theCheckFindsWhatItIsFor() {
        String source = "// 0.5 in a comment\n#error \"2.0 in a string\"\nfloat a = x * 0.5 + 1.0f;\n/* 3.0\n */ float b = 1e-5 + 2e3f + .25 + 4.f\n"
                + "    + x0 + v2.x + 7;\nfloat c = 10.;\n";
        assertEquals(List.of("t.cl:3 0.5", "t.cl:5 1e-5", "t.cl:5 .25", "t.cl:7 10."), doubleLiterals("t.cl", source));
    }
}
