package backpropcl.data;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What is done to every sample's features before the network sees them: {@code x' = (x - offset) /
 * scale} per feature, fitted on the training part only and saved in the model file, so that
 * {@code evaluate} and {@code predict} feed a saved model exactly what it was trained on.
 *
 * <ul>
 *   <li>{@code none}: the features as they are (offset 0, scale 1).
 *   <li>{@code standard}: zero mean and unit variance, scikit-learn's StandardScaler (offset the
 *       mean, scale the population standard deviation).
 *   <li>{@code minmax}: into [0, 1], MinMaxScaler (offset the minimum, scale the range).
 * </ul>
 * A feature with zero spread (the same value in every training sample, such as MNIST's corner
 * pixels) gets scale 1, as scikit-learn does: it becomes 0, never a division by zero. Offsets and
 * scales are fitted in double and kept in float32, the values applied in training and afterwards,
 * so the model file's numbers reproduce the training inputs bit for bit.
 *
 * <p>Use from Java: {@code Preprocessing.fromMetadata(saved.metadata()).apply(x)}.
 *
 * @param kind   how it was fitted
 * @param offset per feature; empty for {@code none}
 * @param scale  per feature, never 0; empty for {@code none}
 */
public record Preprocessing(Kind kind, float[] offset, float[] scale) {

    /** The metadata key of the kind: none, standard or minmax. */
    public static final String NORMALIZE = "normalize";
    /** The metadata key of the offsets, a JSON array of numbers. */
    public static final String OFFSET = "normalize_offset";
    /** The metadata key of the scales, a JSON array of numbers. */
    public static final String SCALE = "normalize_scale";

    /** The kinds of normalisation, by their option names. */
    public enum Kind {
        NONE("none"), STANDARD("standard"), MINMAX("minmax");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }

        /** The kind named {@code s}, or an IllegalArgumentException saying what is accepted. */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.cliName.equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--normalize must be none, standard or minmax, got '" + s + "'");
        }
    }

    /** Nothing done: what a model file without preprocessing metadata was trained with. */
    public static final Preprocessing NONE = new Preprocessing(Kind.NONE, new float[0], new float[0]);

    public Preprocessing {
        if (offset.length != scale.length || kind == Kind.NONE && offset.length != 0) {
            throw new IllegalArgumentException("preprocessing " + kind.cliName() + " with " + offset.length + " offsets and "
                    + scale.length + " scales");
        }
        for (float s : scale) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("a normalisation scale must be a finite number above 0, got " + s);
            }
        }
    }

    /** Fits {@code kind} on {@code train}, the training part only. */
    public static Preprocessing fit(Kind kind, Dataset train) {
        if (kind == Kind.NONE) {
            return NONE;
        }
        int w = train.width();
        int n = train.count();
        float[] x = train.features();
        float[] offset = new float[w];
        float[] scale = new float[w];
        for (int j = 0; j < w; j++) {
            double a;
            double spread;
            if (kind == Kind.STANDARD) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += x[i * w + j];
                }
                a = n == 0 ? 0 : sum / n;
                double squares = 0;
                for (int i = 0; i < n; i++) {
                    double d = x[i * w + j] - a;
                    squares += d * d;
                }
                spread = n == 0 ? 0 : Math.sqrt(squares / n);
            } else {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    min = Math.min(min, x[i * w + j]);
                    max = Math.max(max, x[i * w + j]);
                }
                a = n == 0 ? 0 : min;
                spread = n == 0 ? 0 : max - min;
            }
            offset[j] = (float) a;
            float s = (float) spread;
            // Zero spread (or one too small for float32) keeps the feature's scale: it becomes 0.
            scale[j] = s > 0 && Float.isFinite(s) ? s : 1f;
        }
        return new Preprocessing(kind, offset, scale);
    }

    /** The samples of {@code x}, rows of this preprocessing's width, transformed (a new array; x itself for none). */
    public float[] apply(float[] x) {
        if (kind == Kind.NONE) {
            return x;
        }
        int w = offset.length;
        if (x.length % w != 0) {
            throw new IllegalArgumentException(x.length + " values are not rows of " + w + " features");
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int j = i % w;
            out[i] = (x[i] - offset[j]) / scale[j];
        }
        return out;
    }

    /** {@code d} transformed, under the same name. */
    public Dataset apply(Dataset d) {
        if (kind == Kind.NONE) {
            return d;
        }
        if (d.width() != offset.length) {
            throw new IllegalArgumentException(d.name() + " has " + d.width() + " features; the normalisation was fitted on "
                    + offset.length);
        }
        return new Dataset(d.name(), apply(d.features()), d.labels(), d.count(), d.width(), d.classes(), d.classNames());
    }

    /** Both parts of {@code split} transformed. */
    public DataSplit apply(DataSplit split) {
        return kind == Kind.NONE ? split : new DataSplit(split.name(), apply(split.train()), apply(split.test()));
    }

    /** The width it was fitted on; 0 for none (any width). */
    public int width() {
        return offset.length;
    }

    /** "standard (mean and standard deviation of the 120 training samples)", for the output. */
    public String describe(int fittedOn) {
        return switch (kind) {
            case NONE -> "none (features as they are)";
            case STANDARD -> String.format(Locale.ROOT, "standard (each feature's mean and standard deviation over the %,d training "
                    + "samples)", fittedOn);
            case MINMAX -> String.format(Locale.ROOT, "minmax (each feature's minimum and range over the %,d training samples)",
                    fittedOn);
        };
    }

    /** The metadata entries that {@link #fromMetadata} reads back. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(NORMALIZE, kind.cliName());
        if (kind != Kind.NONE) {
            m.put(OFFSET, floats(offset));
            m.put(SCALE, floats(scale));
        }
        return m;
    }

    /**
     * The preprocessing recorded in a model file's metadata; {@link #NONE} when there is none (a
     * model file written before preprocessing was recorded was trained on the features as they are).
     *
     * @throws IllegalArgumentException when the entries are there but malformed
     */
    public static Preprocessing fromMetadata(Map<String, String> metadata) {
        String kind = metadata.get(NORMALIZE);
        if (kind == null) {
            return NONE;
        }
        Kind k = Kind.parse(kind);
        if (k == Kind.NONE) {
            return NONE;
        }
        float[] offset = parseFloats(metadata.get(OFFSET), OFFSET);
        float[] scale = parseFloats(metadata.get(SCALE), SCALE);
        return new Preprocessing(k, offset, scale);
    }

    /** Float32 values as a JSON array whose text reads back to the same bits. */
    private static String floats(float[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ",").append(Float.toString(values[i]));
        }
        return sb.append(']').toString();
    }

    private static float[] parseFloats(String json, String key) {
        if (json == null) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        String body = json.trim();
        if (!body.startsWith("[") || !body.endsWith("]")) {
            throw new IllegalArgumentException("'" + key + "' is not a JSON array of numbers");
        }
        body = body.substring(1, body.length() - 1).trim();
        if (body.isEmpty()) {
            return new float[0];
        }
        String[] parts = body.split(",", -1);
        float[] v = new float[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                // Float.parseFloat, not through double: the text of a float32 reads back to its very bits.
                v[i] = Float.parseFloat(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' is not a JSON array of numbers", e);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && kind == p.kind && java.util.Arrays.equals(offset, p.offset)
                && java.util.Arrays.equals(scale, p.scale);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + java.util.Arrays.hashCode(offset) * 17 + java.util.Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "Preprocessing[" + kind.cliName() + ", " + offset.length + " features]";
    }
}
