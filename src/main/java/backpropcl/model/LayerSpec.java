package backpropcl.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --layers} grammar: comma-separated layers in order, each {@code kind[:args]}:
 * {@code dense:N}, {@code conv:FxKxK[:sS][:pP]} (F square K x K kernels, stride S default 1, zero
 * padding P default 0), {@code maxpool:K[:sS]} (stride default K), {@code batchnorm},
 * {@code dropout:P}, {@code flatten}, and the activation names (sigmoid, tanh, relu, leaky-relu,
 * softmax, identity). A parse error names the token and what was expected; {@link Network} checks
 * the order.
 */
public final class LayerSpec {
    static final String KINDS = "dense:N, conv:FxKxK[:sS][:pP], maxpool:K[:sS], batchnorm, dropout:P, flatten, sigmoid, tanh, "
            + "relu, leaky-relu, softmax or identity";

    private LayerSpec() {
    }

    /** The layers of a spec such as {@code dense:256,relu,dropout:0.5,dense:10,softmax}. */
    public static List<Layer> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("--layers is empty: give the layers in order, e.g. dense:16,sigmoid,dense:10,sigmoid");
        }
        List<Layer> layers = new ArrayList<>();
        String[] tokens = spec.split(",", -1);
        for (int i = 0; i < tokens.length; i++) {
            layers.add(token(spec, tokens[i].trim(), i + 1));
        }
        return layers;
    }

    private static Layer token(String spec, String token, int position) {
        String where = "--layers '" + spec + "', layer " + position + " '" + token + "'";
        if (token.isEmpty()) {
            throw new IllegalArgumentException(where + ": empty (two commas in a row, or one at an end?)");
        }
        int colon = token.indexOf(':');
        String kind = (colon < 0 ? token : token.substring(0, colon)).toLowerCase(java.util.Locale.ROOT);
        String args = colon < 0 ? null : token.substring(colon + 1);
        switch (kind) {
            case "dense", "linear" -> {
                if (args == null) {
                    throw new IllegalArgumentException(where + ": dense needs its width, e.g. dense:16");
                }
                int width;
                try {
                    width = Integer.parseInt(args.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": '" + args + "' is not a width (a whole number 1.."
                            + Network.MAX_WIDTH + ")");
                }
                try {
                    return new Layer.Dense(width);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage());
                }
            }
            case "dropout" -> {
                if (args == null) {
                    throw new IllegalArgumentException(where + ": dropout needs its probability, e.g. dropout:0.5");
                }
                double p;
                try {
                    p = Double.parseDouble(args.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": '" + args + "' is not a probability (0 <= P < 1, e.g. 0.5)");
                }
                try {
                    return new Layer.Dropout(p);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage());
                }
            }
            case "flatten" -> {
                noArguments(where, kind, args);
                return new Layer.Flatten();
            }
            case "conv" -> {
                return conv(where, args);
            }
            case "maxpool" -> {
                return maxPool(where, args);
            }
            case "batchnorm" -> {
                noArguments(where, kind, args);
                return new Layer.BatchNorm();
            }
            default -> {
                Activation a;
                try {
                    a = Activation.parse(kind);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": unknown layer kind '" + kind + "' (expected " + KINDS + ")");
                }
                noArguments(where, kind, args);
                return new Layer.Act(a);
            }
        }
    }

    /** conv:FxKxK[:sS][:pP]. */
    private static Layer conv(String where, String args) {
        if (args == null) {
            throw new IllegalArgumentException(where + ": conv needs its filters and kernel, e.g. conv:6x5x5");
        }
        String[] parts = args.split(":", -1);
        String[] fkk = parts[0].trim().split("x", -1);
        if (fkk.length != 3) {
            throw new IllegalArgumentException(where + ": '" + parts[0] + "' is not FxKxK (filters x kernel height x kernel width, "
                    + "e.g. 6x5x5)");
        }
        int filters = whole(where, fkk[0], "a number of filters");
        int kh = whole(where, fkk[1], "a kernel height");
        int kw = whole(where, fkk[2], "a kernel width");
        if (kh != kw) {
            throw new IllegalArgumentException(where + ": a " + kh + "x" + kw + " kernel; conv takes square kernels only (FxKxK, "
                    + "e.g. 6x5x5)");
        }
        int[] sp = options(where, parts, "sp", new int[] {1, 0}, "sS for the stride or pP for the padding, e.g. conv:6x5x5:s1:p2");
        try {
            return new Layer.Conv(filters, kh, sp[0], sp[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    /** maxpool:K[:sS]. */
    private static Layer maxPool(String where, String args) {
        if (args == null) {
            throw new IllegalArgumentException(where + ": maxpool needs its window, e.g. maxpool:2");
        }
        String[] parts = args.split(":", -1);
        int k = whole(where, parts[0], "a window size");
        int[] s = options(where, parts, "s", new int[] {k}, "sS for the stride, e.g. maxpool:3:s2");
        try {
            return new Layer.MaxPool(k, s[0]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    /** The options parts[1..] of the letters given (each once, a letter then a whole number), over their defaults. */
    private static int[] options(String where, String[] parts, String letters, int[] defaults, String expected) {
        int[] values = defaults.clone();
        boolean[] seen = new boolean[letters.length()];
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim().toLowerCase(java.util.Locale.ROOT);
            int which = part.isEmpty() ? -1 : letters.indexOf(part.charAt(0));
            if (which < 0) {
                throw new IllegalArgumentException(where + ": '" + parts[i] + "' is not an option (expected " + expected + ")");
            }
            if (seen[which]) {
                throw new IllegalArgumentException(where + ": '" + part.charAt(0) + "' is given twice");
            }
            seen[which] = true;
            values[which] = whole(where, part.substring(1), "a whole number after '" + part.charAt(0) + "' (" + expected + ")");
        }
        return values;
    }

    private static int whole(String where, String text, String what) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + text + "' is not " + what);
        }
    }

    /** Throws "NAME V is out of range LO..HI" unless lo <= v <= hi. */
    static void checkRange(String name, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(name + " " + v + " is out of range " + lo + ".." + hi);
        }
    }

    private static void noArguments(String where, String kind, String args) {
        if (args != null) {
            throw new IllegalArgumentException(where + ": " + kind + " takes no argument");
        }
    }

    /** The spec of a layer list, as {@link #parse} reads it back. */
    public static String format(List<Layer> layers) {
        StringBuilder sb = new StringBuilder();
        for (Layer l : layers) {
            sb.append(sb.length() == 0 ? "" : ",").append(l.spec());
        }
        return sb.toString();
    }

    /** A probability as short as it reads back exactly: 0.5, not 0.50000. */
    static String number(double p) {
        String s = Double.toString(p);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
