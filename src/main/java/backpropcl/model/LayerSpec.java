package backpropcl.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --layers} grammar: comma-separated layers in order, each {@code kind[:args]}:
 * {@code dense:N}, {@code dropout:P}, {@code flatten}, and the activation names (sigmoid, tanh,
 * relu, leaky-relu, softmax, identity). {@code conv}, {@code maxpool} and {@code batchnorm} are
 * named in the design and refused here until an engine computes them. A parse error names the
 * token and what was expected.
 */
public final class LayerSpec {
    static final String KINDS = "dense:N, dropout:P, flatten, sigmoid, tanh, relu, leaky-relu, softmax or identity";

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
            case "conv", "maxpool", "batchnorm" -> throw new IllegalArgumentException(where + ": " + kind
                    + " layers are not built yet (this version has " + KINDS + ")");
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
