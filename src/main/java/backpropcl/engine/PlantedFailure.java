package backpropcl.engine;

import java.util.Optional;

/**
 * A test switch: {@code BACKPROP_CL_FAIL_REPLICA=K@STEP} makes replica K of a data-parallel run
 * throw at the STEP-th step (1-based, counted from the start of this process, a resumed run
 * included) as a lost device would, so that tests in a child process can see a run stop with
 * one line naming the replica and keep its last checkpoint. Not for users (docs/gpu.md).
 */
public record PlantedFailure(int replica, long step) {
    /** The variable it is read from. */
    public static final String VARIABLE = "BACKPROP_CL_FAIL_REPLICA";

    /** The switch from the environment, or empty when {@link #VARIABLE} is unset or empty. */
    public static Optional<PlantedFailure> fromEnvironment() {
        return parse(System.getenv(VARIABLE));
    }

    /**
     * {@code "K@STEP"} with K >= 0 and STEP >= 1; null or empty: none.
     *
     * @throws IllegalArgumentException naming the variable and what it expects
     */
    static Optional<PlantedFailure> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String[] parts = value.trim().split("@", -1);
        try {
            if (parts.length == 2) {
                PlantedFailure f = new PlantedFailure(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                if (f.replica >= 0 && f.step >= 1) {
                    return Optional.of(f);
                }
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw new IllegalArgumentException(VARIABLE + ": expected K@STEP (replica K >= 0 fails at step STEP >= 1), got '" + value + "'");
    }

    /** Throws as a lost device would when replica {@code k} runs step {@code step}. */
    void check(int k, long stepNumber) {
        if (k == replica && stepNumber == step) {
            throw new IllegalStateException("planted by " + VARIABLE + "=" + replica + "@" + step + " (a test switch)");
        }
    }
}
