// dropout.cl: inverted dropout on the input of a dense layer in training, by the one rule of
// backpropcl.model.DropoutMask: element e (its index in the (rows, width) block, row-major,
// e = r * width + j) of dropout layer `layer` (its index in Network.layers()) on step `step` is
// kept when philox_uniform(seed, step, layer, e) >= threshold, threshold the float (float) p; a
// kept element is scaled by `scale`, the host's DropoutMask.floatScale(p) = (float) (1 / (1 - p)),
// a dropped one is 0. No mask is stored: the backward kernel draws the same numbers again.
// Seed and step are 64-bit on the host and come as their low and high 32-bit words. `first` is the
// element number of the block's first element in its batch's block: first = firstRow * width when
// the block is rows firstRow.. of a batch cut into slices (a data-parallel replica's), else 0, so
// every slice draws the whole batch's mask.
//
// Kernels (one work-item per element, 1-D, global size rounded up to the work-group size):
//   dropout_forward    out (n) = keep(first + i) ? in[i] * scale : 0, for the n = rows * width elements
//   dropout_backward   delta (n) = keep(first + i) ? delta[i] * scale : 0, in place: dC/d(input) of the
//                      dropout from dC/d(output). The engine runs it on the layer below's delta
//                      after the backward kernel multiplied in the activation derivative (the
//                      reference masks before the derivative; the two differ by float rounding only)
// -D parameters: none. Needs philox.cl before it (philox_uniform).

// x as element e of the layer's block comes out of the dropout: x * scale when kept, else 0.
inline float dropout_apply(const float x, const int e, const uint seed_lo, const uint seed_hi, const uint step_lo,
                           const uint step_hi, const int layer, const float threshold, const float scale) {
    return philox_uniform(seed_lo, seed_hi, step_lo, step_hi, (uint) layer, (uint) e) >= threshold ? x * scale : 0.0f;
}

__kernel void dropout_forward(__global float* out,         // (n) out
                              __global const float* in,    // (n)
                              const int n,
                              const uint seed_lo, const uint seed_hi,
                              const uint step_lo, const uint step_hi,
                              const int layer, const int first, const float threshold, const float scale) {
    const int i = get_global_id(0);
    if (i < n) {
        out[i] = dropout_apply(in[i], first + i, seed_lo, seed_hi, step_lo, step_hi, layer, threshold, scale);
    }
}

__kernel void dropout_backward(__global float* delta,      // (n) updated in place
                               const int n,
                               const uint seed_lo, const uint seed_hi,
                               const uint step_lo, const uint step_hi,
                               const int layer, const int first, const float threshold, const float scale) {
    const int i = get_global_id(0);
    if (i < n) {
        delta[i] = dropout_apply(delta[i], first + i, seed_lo, seed_hi, step_lo, step_hi, layer, threshold, scale);
    }
}
