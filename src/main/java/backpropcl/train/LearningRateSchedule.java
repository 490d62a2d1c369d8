package backpropcl.train;

import backpropcl.text.Plural;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The learning rate of every step of a run, computed on the host and handed to the engine with
 * each batch, so every engine sees the same rates.
 * <pre>
 *   constant:  lr
 *   step:      lr * gamma^floor(epoch / stepEpochs)                (PyTorch StepLR, per epoch)
 *   cosine:    minLr + (lr - minLr) * (1 + cos(pi * t / T)) / 2     (per step; t steps after the
 *              warm-up, T the run's steps after the warm-up: CosineAnnealingLR over the run)
 *   warm-up:   for the first warmupEpochs, lr * (step + 1) / warmupSteps, linear from lr/warmupSteps
 *              to lr, before any of the above takes over
 * </pre>
 * Epochs count from 0 here; steps count every batch of the run from 0.
 *
 * @param kind         constant, step or cosine
 * @param lr           the base rate
 * @param stepEpochs   step: epochs between decays
 * @param gamma        step: the factor of each decay
 * @param minLr        cosine: the rate at the end of the run
 * @param warmupEpochs epochs of linear warm-up (0 for none)
 */
public record LearningRateSchedule(Kind kind, double lr, int stepEpochs, double gamma, double minLr, int warmupEpochs) {

    public enum Kind {
        CONSTANT, STEP, COSINE;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.cliName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown --lr-schedule '" + name + "'; expected constant, step or cosine");
        }
    }

    public LearningRateSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("no schedule kind");
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a positive finite number, got " + lr);
        }
        if (stepEpochs < 1) {
            throw new IllegalArgumentException("--lr-step-epochs must be at least 1, got " + stepEpochs);
        }
        if (!(gamma > 0) || gamma > 1) {
            throw new IllegalArgumentException("--lr-gamma must be in (0, 1], got " + gamma);
        }
        if (!(minLr >= 0) || minLr > lr) {
            throw new IllegalArgumentException("--min-lr must be in [0, --lr], got " + minLr);
        }
        if (warmupEpochs < 0) {
            throw new IllegalArgumentException("--warmup-epochs must be 0 or more, got " + warmupEpochs);
        }
    }

    /** The same rate for every step. */
    public static LearningRateSchedule constant(double lr) {
        return new LearningRateSchedule(Kind.CONSTANT, lr, 1, 1, 0, 0);
    }

    /**
     * The rate of batch {@code batch} (0-based) of epoch {@code epoch} (0-based), in a run of
     * {@code epochs} epochs of {@code batches} batches each.
     */
    public double rate(int epoch, int batch, int epochs, int batches) {
        long step = (long) epoch * batches + batch;
        long warmupSteps = (long) warmupEpochs * batches;
        if (step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        switch (kind) {
            case STEP:
                return lr * Math.pow(gamma, epoch / stepEpochs);
            case COSINE: {
                long total = Math.max(1, (long) epochs * batches - warmupSteps);
                double t = Math.min(step - warmupSteps, total);
                return minLr + (lr - minLr) * (1 + Math.cos(Math.PI * t / total)) / 2;
            }
            default:
                return lr;
        }
    }

    /** "cosine from 0.001 to 0 after 2 warm-up epochs", for the run's header line. */
    public String describe() {
        String base = switch (kind) {
            case CONSTANT -> "lr " + fmt(lr);
            case STEP -> "lr " + fmt(lr) + " x " + fmt(gamma) + " every " + Plural.of(stepEpochs, "epoch");
            case COSINE -> "lr " + fmt(lr) + " cosine to " + fmt(minLr);
        };
        return warmupEpochs == 0 ? base : base + " after " + Plural.of(warmupEpochs, "warm-up epoch");
    }

    /** String pairs for a checkpoint's metadata; {@link #fromMetadata} reads them back. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("lr_schedule", kind.cliName());
        m.put("lr", Double.toString(lr));
        m.put("lr_step_epochs", Integer.toString(stepEpochs));
        m.put("lr_gamma", Double.toString(gamma));
        m.put("min_lr", Double.toString(minLr));
        m.put("warmup_epochs", Integer.toString(warmupEpochs));
        return m;
    }

    /** @throws IllegalArgumentException naming a missing or malformed key */
    public static LearningRateSchedule fromMetadata(Map<String, String> m) {
        return new LearningRateSchedule(Kind.parse(get(m, "lr_schedule")), Double.parseDouble(get(m, "lr")),
                Integer.parseInt(get(m, "lr_step_epochs")), Double.parseDouble(get(m, "lr_gamma")),
                Double.parseDouble(get(m, "min_lr")), Integer.parseInt(get(m, "warmup_epochs")));
    }

    private static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no '" + key + "' in the metadata");
        }
        return v;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
    }
}
