// dense_forward.cl: the forward pass of one dense layer, z = x W^T + b and a = f(z), fused.
//
// Layout (as engine.reference.ReferenceEngine): x is (rows, m), W is (n, m) row-major, b is (n),
// z and a are (rows, n), all row-major float.
//
// Kernels:
//   dense_forward  tiled matrix product: work-group TS x TS computes a TS x TS block of z (dim 0 =
//                  output neuron j, dim 1 = batch row r); x and W stream through local memory in
//                  TS-wide slices of k. Any rows, n, m: loads past the edge read 0, stores past the
//                  edge are skipped, so the global size is (n, rows) rounded up to TS.
//                  Adds the bias and applies the activation (kernel argument act) before storing.
//                  For ACT_SOFTMAX it stores a = z; softmax_rows then finishes the row.
//   softmax_rows   a = softmax(z) per row, shifted by the row maximum so it never overflows. One
//                  work-group per row, any power-of-two work-group size WG (the host picks it from
//                  the device's limits); scratch is a __local float[WG] argument; the max and the
//                  sum are fixed-order tree reductions, so the result is deterministic.
// -D parameters: TS (tile edge, default 16, from common.cl). Needs common.cl before it.

__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void dense_forward(__global float* z,          // (rows, n) out
                   __global float* a,          // (rows, n) out
                   __global const float* x,    // (rows, m)
                   __global const float* w,    // (n, m)
                   __global const float* b,    // (n)
                   const int rows, const int n, const int m, const int act) {
    __local float xs[TS][TS + 1];   // xs[row in tile][k in slice]
    __local float ws[TS][TS + 1];   // ws[neuron in tile][k in slice]
    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int j0 = get_group_id(0) * TS;
    const int r = get_group_id(1) * TS + ly;   // the row this item computes and loads
    const int j = j0 + lx;                     // the neuron this item computes
    const int jw = j0 + ly;                    // the W row this item loads
    float acc = 0.0f;
    for (int k0 = 0; k0 < m; k0 += TS) {
        const int k = k0 + lx;
        xs[ly][lx] = (r < rows && k < m) ? x[r * m + k] : 0.0f;
        ws[ly][lx] = (jw < n && k < m) ? w[jw * m + k] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TS; ++kk) {
            acc += xs[ly][kk] * ws[lx][kk];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (r < rows && j < n) {
        const float zz = acc + b[j];
        z[r * n + j] = zz;
        a[r * n + j] = activate(zz, act);
    }
}

__kernel void softmax_rows(__global float* a,         // (rows, n) out
                           __global const float* z,   // (rows, n)
                           const int n,
                           __local float* scratch) {  // (WG)
    const int r = get_group_id(0);
    const int lid = get_local_id(0);
    const int wg = get_local_size(0);
    __global const float* zr = z + r * n;
    __global float* ar = a + r * n;

    float mx = -INFINITY;
    for (int j = lid; j < n; j += wg) {
        mx = fmax(mx, zr[j]);
    }
    scratch[lid] = mx;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = wg / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = fmax(scratch[lid], scratch[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    mx = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);   // everyone has read scratch[0] before it is overwritten

    float sum = 0.0f;
    for (int j = lid; j < n; j += wg) {
        sum += exp(zr[j] - mx);
    }
    scratch[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = wg / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] += scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float inv = 1.0f / scratch[0];
    for (int j = lid; j < n; j += wg) {
        ar[j] = exp(zr[j] - mx) * inv;
    }
}
