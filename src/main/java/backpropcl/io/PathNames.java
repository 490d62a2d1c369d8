package backpropcl.io;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;

/**
 * File names typed by the user, and why one is not a file name here.
 *
 * <p>The JVM turns file names into bytes with the character set of the locale it started in
 * ({@code sun.jnu.encoding}, which cannot be set on the command line: measured on Java 17 and 25).
 * Under {@code LANG=C} that is ASCII, so a name such as {@code données/x.csv} reaches Java with its
 * é already replaced and cannot become a {@link java.nio.file.Path}. The launcher starts the JVM in C.UTF-8 where
 * the locale is C or POSIX (see backprop-cl); this is what is said where that could not be done.
 */
public final class PathNames {
    private PathNames() {
    }

    /**
     * The text for a message: characters the JVM could not decode (U+FFFD) and halves of surrogate
     * pairs shown as '?', as an ASCII terminal shows them.
     */
    public static String shown(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                b.append(c).append(text.charAt(++i));
            } else {
                b.append(c == '\uFFFD' || Character.isSurrogate(c) ? '?' : c);
            }
        }
        return b.toString();
    }

    /**
     * Why {@code text} is not a file name, for a message that has named it already: the locale's
     * character set and how to change it, or the reason the file system gives.
     */
    public static String why(String text, InvalidPathException e) {
        String encoding = System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
        Charset names = charset(encoding);
        boolean undecoded = text.indexOf('\uFFFD') >= 0;
        if (!undecoded && names.newEncoder().canEncode(text)) {
            return "not a file name (" + e.getReason() + ")";
        }
        if (names.equals(StandardCharsets.UTF_8)) {
            return "not a file name: it holds characters that are not valid Unicode";
        }
        String variable = localeVariable();
        String value = variable == null ? null : System.getenv(variable);
        return "the name cannot be represented in this system's character set (" + encoding + ", from "
                + (variable == null ? "no locale set" : variable + "=" + value) + "); set "
                + (variable == null ? "LANG" : variable) + "=C.UTF-8, or another UTF-8 locale that 'locale -a' lists";
    }

    /** The character set that file names are encoded in, from its name. */
    private static Charset charset(String name) {
        try {
            return Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** The environment variable that sets the character type (LC_ALL, else LC_CTYPE, else LANG), or null for none. */
    private static String localeVariable() {
        for (String v : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String value = System.getenv(v);
            if (value != null && !value.isEmpty()) {
                return v;
            }
        }
        return null;
    }
}
