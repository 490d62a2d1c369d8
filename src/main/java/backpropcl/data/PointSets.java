package backpropcl.data;

import backpropcl.text.Plural;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * The classic two-class sets of 2-D points, generated: {@code --data points:NAME[:TRAIN[:SEED]]}.
 *
 * <ul>
 *   <li>{@code moons}: two interleaving half circles (scikit-learn's make_moons, noise 0.1),
 *       shifted and scaled by 1/1.5 so that x is in about [-1, 1] and y in [-0.5, 0.5].
 *   <li>{@code circles}: a circle of radius 1 (class 0) around one of radius 0.5 (class 1), noise
 *       0.08 (make_circles with factor 0.5).
 *   <li>{@code xor}: uniform in [-1, 1]^2 less a margin of 0.05 along both axes; class 0 where x*y
 *       is positive, class 1 where it is negative.
 *   <li>{@code spiral}: two interleaved arms of two turns each, radius 0.1 to 1, noise 0.03.
 * </ul>
 * Noise is Gaussian with that standard deviation, added to each coordinate. TRAIN is the number of
 * training points (default 1,000); the test set has TRAIN / 2 (default 500). SEED (default
 * {@value #DEFAULT_SEED}) seeds a Well19937c generator, with a separate stream for the training
 * set ({SEED, 1}) and the test set ({SEED, 2}); with StrictMath for the angles, every run on every
 * JVM gets the same points.
 * Labels alternate 0, 1, 0, 1, ..., so every prefix of a set is balanced too.
 */
final class PointSets {

    static final List<String> NAMES = List.of("moons", "circles", "xor", "spiral");
    static final int DEFAULT_TRAIN = 1000;
    static final int DEFAULT_SEED = 42;
    static final int MAX_TRAIN = 10_000_000;

    private PointSets() {
    }

    /**
     * The set named by {@code spec}, e.g. "points:moons" or "points:spiral:2000:7".
     *
     * @param classes the number of classes the labels are counted in: 0 or less means 2; 1 is an error
     */
    static DataSplit generate(String spec, int classes) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 4 || !parts[0].equals("points")) {
            throw badSpec(spec);
        }
        String name = parts[1];
        if (!NAMES.contains(name)) {
            throw new DataException("--data '" + spec + "': unknown point set '" + name
                    + "' (expected points:moons, points:circles, points:xor or points:spiral)");
        }
        int train = DEFAULT_TRAIN;
        int seed = DEFAULT_SEED;
        try {
            if (parts.length >= 3) {
                train = Integer.parseInt(parts[2]);
            }
            if (parts.length == 4) {
                seed = Integer.parseInt(parts[3]);
            }
        } catch (NumberFormatException e) {
            throw badSpec(spec);
        }
        if (train < 2 || train > MAX_TRAIN) {
            throw new DataException("--data '" + spec + "': " + Plural.of(train, "training point") + "; expected 2 to " + MAX_TRAIN);
        }
        if (classes == 1) {
            throw new DataException("--data '" + spec + "': the points have 2 classes (labels 0 and 1) but the "
                    + "network has 1 output; expected at least 2");
        }
        int k = classes <= 0 ? 2 : classes;
        return new DataSplit(name,
                generate(name, name + "/train", train, new Well19937c(new int[] {seed, 1}), k),
                generate(name, name + "/test", train / 2, new Well19937c(new int[] {seed, 2}), k));
    }

    private static DataException badSpec(String spec) {
        return new DataException("--data '" + spec + "': expected points:NAME[:TRAIN[:SEED]], NAME one of "
                + String.join(", ", NAMES) + ", TRAIN and SEED integers, e.g. points:moons or points:spiral:2000:7");
    }

    /** count points of the named set, drawn from rng, labels alternating 0, 1. */
    static Dataset generate(String name, String setName, int count, RandomGenerator rng, int classes) {
        float[] features = new float[2 * count]; // (count, 2)
        int[] labels = new int[count];
        double[] p = new double[2];
        for (int i = 0; i < count; i++) {
            int label = i % 2;
            switch (name) {
                case "moons" -> moon(label, rng, p);
                case "circles" -> circle(label, rng, p);
                case "xor" -> xor(label, rng, p);
                case "spiral" -> spiral(label, rng, p);
                default -> throw new IllegalArgumentException("unknown point set " + name);
            }
            features[2 * i] = (float) p[0];
            features[2 * i + 1] = (float) p[1];
            labels[i] = label;
        }
        return new Dataset(setName, features, labels, count, 2, classes);
    }

    /** Upper half circle (class 0) or the lower one shifted right and up (class 1), as make_moons. */
    private static void moon(int label, RandomGenerator rng, double[] p) {
        double t = Math.PI * rng.nextDouble();
        double x = label == 0 ? StrictMath.cos(t) : 1 - StrictMath.cos(t);
        double y = label == 0 ? StrictMath.sin(t) : 0.5 - StrictMath.sin(t);
        x += 0.1 * rng.nextGaussian();
        y += 0.1 * rng.nextGaussian();
        // Raw x is in [-1, 2] and y in [-0.5, 1]: centre them, one scale for both keeps the shape.
        p[0] = (x - 0.5) / 1.5;
        p[1] = (y - 0.25) / 1.5;
    }

    /** Outer circle of radius 1 (class 0) or inner one of radius 0.5 (class 1). */
    private static void circle(int label, RandomGenerator rng, double[] p) {
        double t = 2 * Math.PI * rng.nextDouble();
        double r = label == 0 ? 1.0 : 0.5;
        p[0] = r * StrictMath.cos(t) + 0.08 * rng.nextGaussian();
        p[1] = r * StrictMath.sin(t) + 0.08 * rng.nextGaussian();
    }

    /** Same signs (class 0) or opposite signs (class 1), each |coordinate| in [0.05, 1]. */
    private static void xor(int label, RandomGenerator rng, double[] p) {
        double sx = rng.nextBoolean() ? 1 : -1;
        double sy = label == 0 ? sx : -sx;
        p[0] = sx * (0.05 + 0.95 * rng.nextDouble());
        p[1] = sy * (0.05 + 0.95 * rng.nextDouble());
    }

    /** A point on arm 0 or arm 1 (turned by half a turn): two turns, radius 0.1 to 1. */
    private static void spiral(int label, RandomGenerator rng, double[] p) {
        double t = rng.nextDouble();
        double r = 0.1 + 0.9 * t;
        double angle = 2 * (2 * Math.PI) * t + label * Math.PI;
        p[0] = r * StrictMath.cos(angle) + 0.03 * rng.nextGaussian();
        p[1] = r * StrictMath.sin(angle) + 0.03 * rng.nextGaussian();
    }
}
