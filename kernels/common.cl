// common.cl: definitions shared by every kernel file of backprop-cl.
//
// Each routine of the host (engine.opencl: Gather, DenseLayer, OutputLayer, OptimizerUpdate)
// builds its own program from common.cl followed by its kernel files (its FILES), so every such
// file may use what is defined here. OpenCL C 1.2, no extension.
//
// -D parameters read (optional; the default lets the files build without it):
//   TS  edge of the square tiles of the matrix-product kernels (work-group TS x TS); default 16.
//
// Codes shared with the host, given by the host in every build as -D options that
// engine.opencl.KernelCodes generates from the Java enums (their one source; no defaults here, so
// a build without them fails at the #error below instead of running on stale numbers):
//   ACT_<NAME>   model.Activation.kernelCode(): ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU,
//                ACT_IDENTITY, ACT_SOFTMAX
//   COST_<NAME>  model.Cost.kernelCode(): COST_QUADRATIC, COST_CROSS_ENTROPY
//   OPT_<NAME>   model.Optimizer.Kind.kernelCode() (update.cl): OPT_SGD, OPT_MOMENTUM, OPT_NESTEROV,
//                OPT_ADAM, OPT_ADAMW
//   LEAKY_SLOPE  the slope of leaky ReLU for negative inputs (model.Activation.LEAKY_SLOPE), a float literal

#ifndef BPCL_COMMON_CL
#define BPCL_COMMON_CL

#ifndef TS
#define TS 16
#endif

#if !defined(ACT_SIGMOID) || !defined(COST_QUADRATIC) || !defined(OPT_SGD) || !defined(LEAKY_SLOPE)
#error "build with the host's codes: -D ACT_... -D COST_... -D OPT_... -D LEAKY_SLOPE=... (engine.opencl.KernelCodes)"
#endif

// a = f(z) for an element-wise activation. Softmax works on whole rows (softmax_rows); here it
// passes z through so that a is always written.
inline float activate(const float z, const int act) {
    switch (act) {
        case ACT_SIGMOID:    return 1.0f / (1.0f + exp(-z));
        case ACT_TANH:       return tanh(z);
        case ACT_RELU:       return z > 0.0f ? z : 0.0f;
        case ACT_LEAKY_RELU: return z > 0.0f ? z : LEAKY_SLOPE * z;
        default:             return z;   // ACT_IDENTITY, ACT_SOFTMAX
    }
}

// f'(z) of an element-wise activation, given z and a = f(z); ReLU'(0) = 0 as in PyTorch.
inline float activation_derivative(const float z, const float a, const int act) {
    switch (act) {
        case ACT_SIGMOID:    return a * (1.0f - a);
        case ACT_TANH:       return 1.0f - a * a;
        case ACT_RELU:       return z > 0.0f ? 1.0f : 0.0f;
        case ACT_LEAKY_RELU: return z > 0.0f ? 1.0f : LEAKY_SLOPE;
        default:             return 1.0f;   // ACT_IDENTITY
    }
}

// The data-set row that batch row r reads: order[start + r] in a shuffled epoch, else start + r.
inline int sample_index(__global const int* order, const int shuffled, const int start, const int r) {
    return shuffled ? order[start + r] : start + r;
}

#endif
