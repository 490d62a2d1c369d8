package backpropcl.engine;

/**
 * The design's precision contract (DESIGN.md, "Precision and tolerances") as named numbers, the one
 * place that {@code compare}, {@code selftest}, {@code gradcheck}, the benchmark's correctness check
 * and the tests read them from. Every bound is a relative error {@code ||a - b|| / ||b||} per tensor
 * ({@link RelativeError}), b being the tensor compared against; the suffix says the precision of the
 * engine under test, as EJML's {@code UtilEjml.TEST_F32} / {@code TEST_F64} do.
 *
 * <p>The numbers are the design's, not fitted to one run: the engine-equivalence tests hold every
 * fast engine to them on random networks of widths 1..300 and batch sizes 1..257, and selftest
 * holds a user's device to them.
 *
 * <p>Text forms ({@code ..._TEXT}) exist because picocli's defaults and help lines need constant
 * strings; {@code TolerancesTest} checks that each parses to its number.
 */
public final class Tolerances {
    /**
     * One step, float32 against double: z, activations, deltas, gradients and the updated
     * parameters of every layer, and evaluate's mean cost. Float32 keeps about 7 digits; a
     * dot product of a few hundred terms loses one or two of them.
     */
    public static final double ONE_STEP_F32 = 1e-5;
    /** {@link #ONE_STEP_F32} as typed: compare's --step-tolerance default. */
    public static final String ONE_STEP_F32_TEXT = "1e-5";

    /**
     * Weights and biases after many SGD steps (the design measures 100) with nothing read back in
     * between, float32 against double: rounding of each step feeds the next, so the bound is ten
     * times {@link #ONE_STEP_F32}. The benchmark's check applies it after its 3 steps.
     */
    public static final double AFTER_STEPS_F32 = 1e-4;
    /** {@link #AFTER_STEPS_F32} as typed: compare's --drift-tolerance default, bench's help. */
    public static final String AFTER_STEPS_F32_TEXT = "1e-4";

    /**
     * Optimizer state (momentum, Adam's moments) after 100 steps: ten times {@link #AFTER_STEPS_F32},
     * the bound the equivalence tests have always held state tensors to (docs/training.md). Not part
     * of the design's contract, which bounds the weights.
     */
    public static final double OPTIMIZER_STATE_AFTER_STEPS_F32 = 10 * AFTER_STEPS_F32;

    /**
     * The reference engine in double against central finite differences: backprop's gradient
     * ||g - g_numeric|| / ||g_numeric||, with the step {@code GradientCheck.STEP}. gradcheck's
     * --tolerance default and GradientCheckTest's bound.
     */
    public static final double GRADIENT_CHECK_F64 = 1e-6;
    /** {@link #GRADIENT_CHECK_F64} as typed. */
    public static final String GRADIENT_CHECK_F64_TEXT = "1e-6";

    /**
     * Not a tensor norm: the fraction of evaluated samples whose correctness differs between a
     * float32 engine and double. A near-tie of two outputs may flip the argmax, so 1 in 1000 may.
     */
    public static final double CORRECT_FRACTION_F32 = 1e-3;
    /** {@link #CORRECT_FRACTION_F32} as typed, for selftest's help. */
    public static final String CORRECT_FRACTION_F32_TEXT = "1e-3";

    private Tolerances() {
    }
}
