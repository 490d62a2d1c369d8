// dense_gradients.cl: the gradients of the batch-mean cost and the SGD step, fused:
//   gradW = 1/B delta^T a_prev,  gradB = 1/B (column sums of delta),
//   W -= eta gradW,              b -= eta gradB.
// The gradients are kept in their own buffers (the engine's trace() reads them); W and b are
// updated in place, except with eta = 0, which writes no parameter: that is the engine's
// computeGradients, the first half of a step (W - 0 * g would turn -0 into +0 and any W into NaN
// for a NaN gradient). Deterministic: every output element is summed by one work-item, over the
// batch rows in order; no atomics.
//
// Layout: delta is (rows, n), a_prev is (rows, m), W and gradW are (n, m), b and gradB are (n).
//
// Kernels:
//   dense_weight_gradients_sgd  tiled matrix product: work-group TS x TS computes a TS x TS block of
//                         gradW (dim 0 = input neuron k, dim 1 = output neuron j); delta and a_prev
//                         stream through local memory in TS-row slices of the batch. Any rows, n,
//                         m; global size is (m, n) rounded up to TS.
//   dense_bias_gradients_sgd    one work-item per output neuron j (1-D, global size rounded up to the
//                         work-group size), summing column j of delta over the batch rows.
//   sgd_step              p (n) -= eta g (n), one work-item per element (1-D, rounded up): the
//                         SGD step on its own, after gradients computed with eta = 0 (the engine's
//                         applyGradients). The same expression as the fused kernels' `w -= eta * g`
//                         here, in dense_blocked.cl and fused_tail.cl, under the same FP_CONTRACT state
//                         (the default: their programs do not hold update.cl's pragma), so both
//                         round alike.
// -D parameters: TS (tile edge, default 16, from common.cl). Needs common.cl before it.

__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void dense_weight_gradients_sgd(__global float* grad_w,         // (n, m) out
                          __global float* w,              // (n, m) updated in place
                          __global const float* delta,    // (rows, n)
                          __global const float* a_prev,   // (rows, m)
                          const int rows, const int n, const int m, const float eta) {
    __local float ds[TS][TS + 1];   // ds[row in slice][j in tile]
    __local float as[TS][TS + 1];   // as[row in slice][k in tile]
    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int k0 = get_group_id(0) * TS;
    const int j0 = get_group_id(1) * TS;
    const int k = k0 + lx;   // the input neuron this item computes
    const int j = j0 + ly;   // the output neuron this item computes
    float acc = 0.0f;
    for (int r0 = 0; r0 < rows; r0 += TS) {
        const int r = r0 + ly;   // the batch row this item loads
        ds[ly][lx] = (r < rows && j0 + lx < n) ? delta[r * n + j0 + lx] : 0.0f;
        as[ly][lx] = (r < rows && k < m) ? a_prev[r * m + k] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int rr = 0; rr < TS; ++rr) {
            acc += ds[rr][ly] * as[rr][lx];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (j < n && k < m) {
        const int i = j * m + k;
        const float g = acc / (float) rows;
        grad_w[i] = g;
        if (eta != 0.0f) {   // eta 0: gradients only (computeGradients), W left as it is
            w[i] -= eta * g;
        }
    }
}

__kernel void dense_bias_gradients_sgd(__global float* grad_b,         // (n) out
                                 __global float* b,              // (n) updated in place
                                 __global const float* delta,    // (rows, n)
                                 const int rows, const int n, const float eta) {
    const int j = get_global_id(0);
    if (j >= n) {
        return;
    }
    float acc = 0.0f;
    for (int r = 0; r < rows; ++r) {
        acc += delta[r * n + j];
    }
    const float g = acc / (float) rows;
    grad_b[j] = g;
    if (eta != 0.0f) {
        b[j] -= eta * g;
    }
}

__kernel void sgd_step(__global float* p,          // (n) updated in place
                       __global const float* g,    // (n) gradient
                       const int n, const float eta) {
    const int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    p[i] -= eta * g[i];
}
