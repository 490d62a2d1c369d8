package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.LaunchSizes.roundUp;

import backpropcl.engine.OptimizerStep;

/**
 * The optimizer's routine: its own program from common.cl and update.cl (no -D options of its
 * own; the rule codes come with every build): one step of momentum, Nesterov, Adam or AdamW on a
 * parameter tensor from its gradient. Plain SGD is {@link DenseLayer}'s (fused into the gradient
 * kernels, or its sgd_step).
 */
final class OptimizerUpdate implements AutoCloseable {
    static final String[] FILES = {"common.cl", "update.cl"};

    private final ClProgram program;
    private final ClBuffer unused;
    private final ClKernel step;
    private final int wg;

    /** Builds the routine; {@code unused} stands in for a state tensor the rule has not (not owned). */
    OptimizerUpdate(ClContext ctx, ClBuffer unused) {
        this.unused = unused;
        this.program = ctx.program(KernelSources.sources(FILES), "");
        step = program.kernelsOrClose("optimizer_step")[0];
        wg = step.linearWorkGroup();
    }

    /**
     * One optimizer step on the n values of p from their gradient g; s1 and s2 are the rule's state
     * (null when it has none); weights get the step's weight decay, biases none.
     */
    void step(ClBuffer p, ClBuffer g, ClBuffer s1, ClBuffer s2, int n, OptimizerStep c, boolean weights) {
        step.arg(p).arg(g).arg(s1 == null ? unused : s1).arg(s2 == null ? unused : s2).arg(n).arg(c.kind())
                .arg(c.lr()).arg(c.momentum()).arg(c.beta1()).arg(c.oneMinusBeta1()).arg(c.beta2()).arg(c.oneMinusBeta2())
                .arg(c.epsilon()).arg(c.stepSize()).arg(c.sqrtCorrection2())
                .arg(weights ? c.weightDecay() : 0f).arg(weights ? c.decoupledKeep() : 1f)
                .launch(new long[] {roundUp(n, wg)}, new long[] {wg});
    }

    @Override
    public void close() {
        program.close();
    }
}
