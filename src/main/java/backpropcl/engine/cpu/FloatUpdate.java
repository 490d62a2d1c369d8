package backpropcl.engine.cpu;

import backpropcl.engine.OptimizerStep;
import backpropcl.model.Optimizer;

/**
 * The optimizer's update in float32, element by element: the same operations in the same order as
 * kernels/update.cl (formulas in {@link Optimizer}). Plain SGD does not come here: the engine fuses
 * it with the weight gradient.
 */
final class FloatUpdate {
    private static final int MOMENTUM = Optimizer.Kind.MOMENTUM.kernelCode();
    private static final int NESTEROV = Optimizer.Kind.NESTEROV.kernelCode();
    private static final int ADAM = Optimizer.Kind.ADAM.kernelCode();
    private static final int ADAMW = Optimizer.Kind.ADAMW.kernelCode();

    private FloatUpdate() {
    }

    /**
     * p[i] takes one step from gradient g[i] for i in [from, to); s1 and s2 are the state tensors
     * the kind uses (null otherwise); decay is c.weightDecay() for weights, 0 for biases.
     */
    static void apply(OptimizerStep c, boolean weights, float[] p, float[] g, float[] s1, float[] s2, int from, int to) {
        int kind = c.kind();
        float decay = weights ? c.weightDecay() : 0f;
        float keep = weights ? c.decoupledKeep() : 1f;
        for (int i = from; i < to; i++) {
            float w = p[i];
            float grad = g[i] + decay * w;
            if (kind == MOMENTUM) {
                float v = c.momentum() * s1[i] + grad;
                s1[i] = v;
                w = w - c.lr() * v;
            } else if (kind == NESTEROV) {
                float v = c.momentum() * s1[i] + grad;
                s1[i] = v;
                w = w - c.lr() * (grad + c.momentum() * v);
            } else if (kind == ADAM || kind == ADAMW) {
                w = w * keep;
                float m = c.beta1() * s1[i] + c.oneMinusBeta1() * grad;
                float s = c.beta2() * s2[i] + c.oneMinusBeta2() * grad * grad;
                s1[i] = m;
                s2[i] = s;
                w = w - c.stepSize() * m / ((float) Math.sqrt(s) / c.sqrtCorrection2() + c.epsilon());
            } else {
                w = w - c.lr() * grad;
            }
            p[i] = w;
        }
    }
}
