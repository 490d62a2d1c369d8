// update.cl: one optimizer step on a parameter tensor, after the gradient kernels wrote its
// gradient. Plain SGD never comes here: the gradient kernels apply it themselves. The formulas
// are those of backpropcl.model.Optimizer (PyTorch's SGD, Adam and AdamW), in float, in the same
// order as the cpu engine's FloatUpdate so that the two agree to the last bit where the device's
// sqrt and division are correctly rounded.
//
// Kernel (one work-item per element, 1-D, global size rounded up to the work-group size):
//   optimizer_step   p (n) updated in place from its gradient g (n) and the state s1, s2 (n each;
//                    any buffer when the rule does not use it)
// -D parameters: none of its own; the rule codes OPT_<NAME> come from the host (see common.cl).

// Java never fuses a * b + c into one rounding; neither may we, to stay bitwise with the cpu engine.
#pragma OPENCL FP_CONTRACT OFF

__kernel void optimizer_step(__global float* p,          // (n) parameters, updated in place
                             __global const float* g,    // (n) gradient of the batch-mean cost
                             __global float* s1,         // (n) velocity, or Adam's first moment
                             __global float* s2,         // (n) Adam's second moment
                             const int n, const int kind,
                             const float lr, const float momentum,
                             const float beta1, const float oneMinusBeta1,
                             const float beta2, const float oneMinusBeta2,
                             const float epsilon, const float stepSize, const float sqrtCorrection2,
                             const float decay,          // coupled weight decay (0 for biases and adamw)
                             const float keep) {         // adamw's 1 - lr * decay (1 for biases and the others)
    const int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float w = p[i];
    const float grad = g[i] + decay * w;
    if (kind == OPT_MOMENTUM) {
        const float v = momentum * s1[i] + grad;
        s1[i] = v;
        w = w - lr * v;
    } else if (kind == OPT_NESTEROV) {
        const float v = momentum * s1[i] + grad;
        s1[i] = v;
        w = w - lr * (grad + momentum * v);
    } else if (kind == OPT_ADAM || kind == OPT_ADAMW) {
        w = w * keep;
        const float m = beta1 * s1[i] + oneMinusBeta1 * grad;
        const float s = beta2 * s2[i] + oneMinusBeta2 * grad * grad;
        s1[i] = m;
        s2[i] = s;
        w = w - stepSize * m / (sqrt(s) / sqrtCorrection2 + epsilon);
    } else {
        w = w - lr * grad;
    }
    p[i] = w;
}
