// batchnorm.cl: batch normalisation with PyTorch's formulas, per channel c over the rows x H x W
// values of that channel (nn.BatchNorm2d(C)); flat rows (nn.BatchNorm1d(N)) are the same with
// H x W = 1 and the features as channels.
//
// Layout: x, z, a, delta, z_prev, a_prev and delta_prev are (rows, C, HW), HW = H * W, each row one
// sample in NCHW order; mean, var, gamma, beta, running_mean, running_var, grad_gamma, grad_beta
// are (C); count = rows * HW, the values per channel.
//
// Kernels:
//   batchnorm_statistics    one work-group per channel (global size C x WG, any power-of-two WG;
//                           scratch a __local float[WG] argument): mean = 1/count sum x and the BIASED
//                           variance var = 1/count sum (x - mean)^2 (two passes), each sum a
//                           fixed-order tree reduction of the work-items' strided partial sums
//   batchnorm_forward       one work-item per element (1-D, rounded up):
//                           z = gamma (x - m) / sqrt(v + eps) + beta, a = f(z) for the element-wise
//                           activation act after the layer, with (m, v) the batch's (mean, var) when
//                           training != 0, else the running statistics
//   batchnorm_backward      one work-group per channel (global C x WG; scratch a __local float[2 WG]):
//                           from delta = dC/dz per sample, the sums sum_dy = sum delta and
//                           dotp = sum delta (x - mean) (fixed-order trees), then, as PyTorch's
//                           batch_norm_backward, delta_prev = (delta - sum_dy / count
//                           - (x - mean) invstd^2 dotp / count) invstd gamma, times f'(z_prev) of the
//                           activation act that produced the input (identity if none), and the
//                           batch-mean cost's grad_gamma = dotp invstd / rows, grad_beta = sum_dy / rows
//                           (divided by rows, as dense_gradients.cl's)
//   batchnorm_running_update  one work-item per channel (1-D, rounded up): running_mean =
//                           (1 - momentum) running_mean + momentum mean, running_var = (1 - momentum)
//                           running_var + momentum var count / (count - 1) (the unbiased variance;
//                           count >= 2, the host's check), and num_batches_tracked += 1 (work-item 0)
// -D parameters: none. Needs common.cl before it. Remainders as subtractions: see conv.cl.

// Element j (0 <= j < count) of channel c: row j / HW, position j % HW.
inline int bn_at(const int j, const int c, const int channels, const int hw) {
    const int r = j / hw;
    return (r * channels + c) * hw + (j - r * hw);
}

// The sum of scratch[0 .. wg) into scratch[0] by a fixed-order tree (wg a power of two); every
// work-item has stored its value before the call and reads scratch[0] after it.
inline void bn_tree_sum(__local float* scratch, const int lid, const int wg) {
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = wg / 2; span > 0; span >>= 1) {
        if (lid < span) {
            scratch[lid] += scratch[lid + span];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

__kernel void batchnorm_statistics(__global float* mean,        // (C) out
                                   __global float* var,         // (C) out, biased
                                   __global const float* x,     // (rows, C, HW)
                                   const int rows, const int channels, const int hw,
                                   __local float* scratch) {    // (WG)
    const int c = get_group_id(0);
    const int lid = get_local_id(0);
    const int wg = get_local_size(0);
    const int count = rows * hw;
    float sum = 0.0f;
    for (int j = lid; j < count; j += wg) {
        sum += x[bn_at(j, c, channels, hw)];
    }
    scratch[lid] = sum;
    bn_tree_sum(scratch, lid, wg);
    const float m = scratch[0] / (float) count;
    barrier(CLK_LOCAL_MEM_FENCE);   // everyone has read scratch[0] before it is overwritten
    float sq = 0.0f;
    for (int j = lid; j < count; j += wg) {
        const float d = x[bn_at(j, c, channels, hw)] - m;
        sq += d * d;
    }
    scratch[lid] = sq;
    bn_tree_sum(scratch, lid, wg);
    if (lid == 0) {
        mean[c] = m;
        var[c] = scratch[0] / (float) count;
    }
}

__kernel void batchnorm_forward(__global float* z,                    // (rows, C, HW) out
                                __global float* a,                    // (rows, C, HW) out
                                __global const float* x,              // (rows, C, HW)
                                __global const float* mean,           // (C) the batch's
                                __global const float* var,            // (C) the batch's, biased
                                __global const float* running_mean,   // (C)
                                __global const float* running_var,    // (C)
                                __global const float* gamma,          // (C)
                                __global const float* beta,           // (C)
                                const int rows, const int channels, const int hw,
                                const int training, const float eps, const int act) {
    const int i = get_global_id(0);
    if (i >= rows * channels * hw) {
        return;
    }
    const int rc = i / hw;               // (r, c)
    const int c = rc - (rc / channels) * channels;
    const float m = training ? mean[c] : running_mean[c];
    const float v = training ? var[c] : running_var[c];
    const float invstd = 1.0f / sqrt(v + eps);
    const float zz = gamma[c] * ((x[i] - m) * invstd) + beta[c];
    z[i] = zz;
    a[i] = activate(zz, act);
}

__kernel void batchnorm_backward(__global float* delta_prev,         // (rows, C, HW) out
                                 __global float* grad_gamma,         // (C) out
                                 __global float* grad_beta,          // (C) out
                                 __global const float* delta,        // (rows, C, HW)
                                 __global const float* x,            // (rows, C, HW)
                                 __global const float* mean,         // (C) the batch's
                                 __global const float* var,          // (C) the batch's, biased
                                 __global const float* gamma,        // (C)
                                 __global const float* z_prev,       // (rows, C, HW)
                                 __global const float* a_prev,       // (rows, C, HW)
                                 const int rows, const int channels, const int hw,
                                 const float eps, const int act,
                                 __local float* scratch) {           // (2 WG)
    const int c = get_group_id(0);
    const int lid = get_local_id(0);
    const int wg = get_local_size(0);
    const int count = rows * hw;
    const float m = mean[c];
    float sum_dy = 0.0f;
    float dotp = 0.0f;
    for (int j = lid; j < count; j += wg) {
        const int e = bn_at(j, c, channels, hw);
        sum_dy += delta[e];
        dotp += delta[e] * (x[e] - m);
    }
    __local float* sums = scratch;
    __local float* dots = scratch + wg;
    sums[lid] = sum_dy;
    bn_tree_sum(sums, lid, wg);
    dots[lid] = dotp;
    bn_tree_sum(dots, lid, wg);
    sum_dy = sums[0];
    dotp = dots[0];
    const float invstd = 1.0f / sqrt(var[c] + eps);
    const float grad_mean = sum_dy / (float) count;
    const float k = dotp * invstd * invstd / (float) count;
    const float scale = invstd * gamma[c];
    for (int j = lid; j < count; j += wg) {
        const int e = bn_at(j, c, channels, hw);
        const float dx = (delta[e] - grad_mean - (x[e] - m) * k) * scale;
        delta_prev[e] = dx * activation_derivative(z_prev[e], a_prev[e], act);
    }
    if (lid == 0) {
        grad_gamma[c] = dotp * invstd / (float) rows;
        grad_beta[c] = sum_dy / (float) rows;
    }
}

__kernel void batchnorm_running_update(__global float* running_mean,   // (C) updated in place
                                       __global float* running_var,    // (C) updated in place
                                       __global float* tracked,        // (1) num_batches_tracked, updated in place
                                       __global const float* mean,     // (C) the batch's
                                       __global const float* var,      // (C) the batch's, biased
                                       const int channels, const int count, const float momentum) {
    const int c = get_global_id(0);
    if (c >= channels) {
        return;
    }
    const float unbiased = var[c] * ((float) count / (float) (count - 1));
    running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean[c];
    running_var[c] = (1.0f - momentum) * running_var[c] + momentum * unbiased;
    if (c == 0) {
        tracked[0] += 1.0f;
    }
}
