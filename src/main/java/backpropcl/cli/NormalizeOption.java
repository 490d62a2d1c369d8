package backpropcl.cli;

import backpropcl.data.Preprocessing;
import picocli.CommandLine.Option;

/** How the features are scaled before training: --normalize, fitted on the training part. */
final class NormalizeOption {
    @Option(names = "--normalize", paramLabel = "KIND",
            description = "Scale each feature: none, standard (zero mean, unit variance: scikit-learn's StandardScaler) or "
                    + "minmax (into 0..1), fitted on the rows that train only (not the test set, not a --validation split) and applied to every part; saved in the "
                    + "model, so evaluate and predict scale alike. Default: standard for CSV files (their columns are on any "
                    + "scales, e.g. wine's 0.1 to 1,680, and sigmoid units saturate on large inputs), none for image sets "
                    + "(pixels are already 0..1) and points.")
    String normalize;

    /** The kind asked for, else {@code standard} for a CSV file and {@code none} for the rest. */
    Preprocessing.Kind kind(boolean csv) {
        if (normalize == null) {
            return csv ? Preprocessing.Kind.STANDARD : Preprocessing.Kind.NONE;
        }
        try {
            return Preprocessing.Kind.parse(normalize);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }
}
