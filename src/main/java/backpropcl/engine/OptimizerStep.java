package backpropcl.engine;

import backpropcl.model.Optimizer;

/**
 * The float32 constants of one optimizer step, computed once on the host in double and rounded:
 * what the cpu engine's update loop and kernels/update.cl read, so that both do the same float
 * operations in the same order (see {@link Optimizer} for the formulas).
 *
 * @param kind             the rule, as {@link Optimizer.Kind#kernelCode()} (update.cl's OPT_ codes)
 * @param lr               learning rate
 * @param momentum         mu
 * @param beta1            Adam's beta1, with oneMinusBeta1 = 1 - beta1
 * @param beta2            Adam's beta2, with oneMinusBeta2 = 1 - beta2
 * @param epsilon          Adam's epsilon
 * @param stepSize         lr / (1 - beta1^t)
 * @param sqrtCorrection2  sqrt(1 - beta2^t)
 * @param weightDecay      the coefficient for weights (biases get 0)
 * @param decoupledKeep    1 - lr * weightDecay, adamw's factor on the weights (1 otherwise)
 */
public record OptimizerStep(int kind, float lr, float momentum, float beta1, float oneMinusBeta1, float beta2,
                            float oneMinusBeta2, float epsilon, float stepSize, float sqrtCorrection2, float weightDecay,
                            float decoupledKeep) {

    /** The constants of step t (1-based: the step being taken) at learning rate lr. */
    public static OptimizerStep of(Optimizer o, double lr, long t) {
        boolean adam = o.kind().isAdam();
        boolean decoupled = o.kind() == Optimizer.Kind.ADAMW;
        return new OptimizerStep(o.kind().kernelCode(), (float) lr, (float) o.momentum(), (float) o.beta1(), (float) (1 - o.beta1()),
                (float) o.beta2(), (float) (1 - o.beta2()), (float) o.epsilon(),
                adam ? (float) o.adamStepSize(lr, t) : 0f, adam ? (float) o.adamSqrtCorrection2(t) : 1f,
                decoupled ? 0f : (float) o.weightDecay(), decoupled ? (float) (1 - lr * o.weightDecay()) : 1f);
    }
}
