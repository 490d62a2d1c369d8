package backpropcl.model;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a step turns the batch gradient g = dC/dW into a change of the parameters, with PyTorch's
 * formulas (torch.optim.SGD, Adam, AdamW) so results can be compared side by side. Every engine
 * implements exactly these lines, the reference in double and the others in float32:
 * <pre>
 *   coupled weight decay (sgd, momentum, nesterov, adam):  g += weightDecay * w
 *   sgd:       w -= lr * g
 *   momentum:  v = momentum * v + g;  w -= lr * v
 *   nesterov:  v = momentum * v + g;  w -= lr * (g + momentum * v)
 *   adam:      t += 1;  m = beta1 * m + (1 - beta1) * g;  s = beta2 * s + (1 - beta2) * g * g
 *              w -= (lr / (1 - beta1^t)) * m / (sqrt(s) / sqrt(1 - beta2^t) + epsilon)
 *   adamw:     w *= 1 - lr * weightDecay (decoupled), then adam without the coupled term
 * </pre>
 * Weight decay applies to weights only, never to biases (Nielsen's L2 regularisation: his
 * (1 - eta*lambda/n) w is sgd with weightDecay = lambda / n). PyTorch decays biases too unless
 * they are put in a parameter group of their own.
 *
 * @param kind        the rule
 * @param momentum    mu of momentum and nesterov
 * @param beta1       Adam's first-moment decay
 * @param beta2       Adam's second-moment decay
 * @param epsilon     Adam's denominator guard
 * @param weightDecay L2 coefficient (coupled), or adamw's decoupled decay; 0 for none
 */
public record Optimizer(Kind kind, double momentum, double beta1, double beta2, double epsilon, double weightDecay) {

    /** The rules, with the names of their state tensors (PyTorch's names). */
    public enum Kind {
        SGD("sgd"),
        MOMENTUM("momentum", "momentum_buffer"),
        NESTEROV("nesterov", "momentum_buffer"),
        ADAM("adam", "exp_avg", "exp_avg_sq"),
        ADAMW("adamw", "exp_avg", "exp_avg_sq");

        private final String cliName;
        private final String[] slots;

        Kind(String cliName, String... slots) {
            this.cliName = cliName;
            this.slots = slots;
        }

        public String cliName() {
            return cliName;
        }

        /** State tensors per parameter tensor: 0, 1 (velocity) or 2 (Adam's moments). */
        public int slots() {
            return slots.length;
        }

        /** The name of state tensor i, e.g. "exp_avg". */
        public String slotName(int i) {
            return slots[i];
        }

        public boolean isAdam() {
            return this == ADAM || this == ADAMW;
        }

        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected sgd, momentum, nesterov, adam or adamw");
        }
    }

    public Optimizer {
        if (kind == null) {
            throw new IllegalArgumentException("no optimizer kind");
        }
        check("--momentum", momentum, 0, true, 1, false);
        check("--beta1", beta1, 0, true, 1, false);
        check("--beta2", beta2, 0, true, 1, false);
        check("--epsilon", epsilon, 0, false, Double.MAX_VALUE, true);
        check("--weight-decay", weightDecay, 0, true, Double.MAX_VALUE, true);
    }

    private static void check(String name, double v, double lo, boolean loIncluded, double hi, boolean hiIncluded) {
        boolean ok = (loIncluded ? v >= lo : v > lo) && (hiIncluded ? v <= hi : v < hi);
        if (!ok) {
            throw new IllegalArgumentException(name + " must be in " + (loIncluded ? "[" : "(") + fmt(lo) + ", "
                    + (hi == Double.MAX_VALUE ? "inf" : fmt(hi)) + (hiIncluded ? "]" : ")") + ", got " + v);
        }
    }

    /** Plain SGD, no weight decay: the lesson's rule. */
    public static Optimizer sgd() {
        return of(Kind.SGD);
    }

    /** The rule with PyTorch's defaults (momentum 0.9 where PyTorch has none), no weight decay. */
    public static Optimizer of(Kind kind) {
        return new Optimizer(kind, 0.9, 0.9, 0.999, 1e-8, 0);
    }

    public Optimizer withWeightDecay(double decay) {
        return new Optimizer(kind, momentum, beta1, beta2, epsilon, decay);
    }

    public Optimizer withMomentum(double mu) {
        return new Optimizer(kind, mu, beta1, beta2, epsilon, weightDecay);
    }

    public Optimizer withBetas(double b1, double b2) {
        return new Optimizer(kind, momentum, b1, b2, epsilon, weightDecay);
    }

    public Optimizer withEpsilon(double eps) {
        return new Optimizer(kind, momentum, beta1, beta2, eps, weightDecay);
    }

    /** SGD without decay: the engines fuse it into the gradient kernels. */
    public boolean isPlainSgd() {
        return kind == Kind.SGD && weightDecay == 0;
    }

    /** Whether weight decay is added to the gradient (every kind but adamw, which decays the weights directly). */
    public boolean coupledDecay() {
        return kind != Kind.ADAMW;
    }

    /** Adam's step size lr / (1 - beta1^t) for step t (1-based). */
    public double adamStepSize(double lr, long t) {
        return lr / (1 - Math.pow(beta1, t));
    }

    /** Adam's sqrt(1 - beta2^t) for step t (1-based). */
    public double adamSqrtCorrection2(long t) {
        return Math.sqrt(1 - Math.pow(beta2, t));
    }

    /** "adam (beta1 0.9, beta2 0.999, epsilon 1e-08)", with what matters for the kind. */
    public String describe() {
        StringBuilder sb = new StringBuilder(kind.cliName);
        StringBuilder args = new StringBuilder();
        if (kind == Kind.MOMENTUM || kind == Kind.NESTEROV) {
            args.append("momentum ").append(fmt(momentum));
        }
        if (kind.isAdam()) {
            args.append("beta1 ").append(fmt(beta1)).append(", beta2 ").append(fmt(beta2)).append(", epsilon ").append(fmt(epsilon));
        }
        if (weightDecay != 0) {
            args.append(args.length() > 0 ? ", " : "").append(kind == Kind.ADAMW ? "decoupled " : "").append("weight decay ")
                    .append(fmt(weightDecay));
        }
        return args.length() == 0 ? sb.toString() : sb.append(" (").append(args).append(')').toString();
    }

    /** String pairs for a file's metadata; {@link #fromMetadata} reads them back exactly. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("optimizer", kind.cliName);
        m.put("optimizer_momentum", Double.toString(momentum));
        m.put("optimizer_beta1", Double.toString(beta1));
        m.put("optimizer_beta2", Double.toString(beta2));
        m.put("optimizer_epsilon", Double.toString(epsilon));
        m.put("optimizer_weight_decay", Double.toString(weightDecay));
        return m;
    }

    /**
     * The optimizer described by metadata written by {@link #toMetadata}, or null when it has none.
     *
     * @throws IllegalArgumentException naming the key that is missing or wrong
     */
    public static Optimizer fromMetadata(Map<String, String> m) {
        if (!m.containsKey("optimizer")) {
            return null;
        }
        Kind kind = Kind.parse(m.get("optimizer"));
        return new Optimizer(kind, number(m, "optimizer_momentum"), number(m, "optimizer_beta1"), number(m, "optimizer_beta2"),
                number(m, "optimizer_epsilon"), number(m, "optimizer_weight_decay"));
    }

    private static double number(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no '" + key + "' in the metadata");
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata '" + key + "' is '" + v + "', not a number");
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? Long.toString((long) v) : Double.toString(v);
    }
}
