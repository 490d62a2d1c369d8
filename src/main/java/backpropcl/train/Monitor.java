package backpropcl.train;

import backpropcl.engine.Evaluation;
import java.util.Locale;

/**
 * What a run with a validation split watches to choose its best epoch and to stop early
 * ({@code --monitor}): the validation cost (lower is better) or accuracy (higher is better). As
 * Keras' {@code EarlyStopping(min_delta=0)}, only a strictly better value is an improvement; a tie
 * keeps the earlier epoch.
 */
public enum Monitor {
    VAL_COST("val-cost", "val cost"),
    VAL_ACCURACY("val-accuracy", "val accuracy");

    private final String cliName;
    private final String words;

    Monitor(String cliName, String words) {
        this.cliName = cliName;
        this.words = words;
    }

    /** The name on the command line and in checkpoints: "val-cost". */
    public String cliName() {
        return cliName;
    }

    /** The name in the output: "val cost". */
    public String words() {
        return words;
    }

    /** The watched value of an evaluation of the validation split. */
    public double value(Evaluation validation) {
        return this == VAL_COST ? validation.meanCost() : validation.accuracy();
    }

    /** Whether {@code value} is strictly better than {@code best} (min_delta 0: a tie is not). */
    public boolean improves(double value, double best) {
        return this == VAL_COST ? value < best : value > best;
    }

    /** @throws IllegalArgumentException naming the choices */
    public static Monitor parse(String name) {
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (Monitor m : values()) {
            if (m.cliName.equals(wanted)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--monitor must be val-cost or val-accuracy, got '" + name + "'");
    }
}
