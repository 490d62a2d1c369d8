// dense_backward.cl: the error of a hidden layer from the layer after it, fused with the activation
// derivative: delta_prev = (delta W) * f'(z_prev).
//
// Layout: delta is (rows, n), W is (n, m) row-major, z_prev, a_prev and delta_prev are (rows, m).
//
// Kernels:
//   dense_backward  tiled matrix product: work-group TS x TS computes a TS x TS block of delta_prev
//             (dim 0 = input neuron k, dim 1 = batch row r); delta and W stream through local
//             memory in TS-wide slices of j. Any rows, n, m: loads past the edge read 0, stores
//             past the edge are skipped; global size is (m, rows) rounded up to TS. act is the
//             (element-wise) activation of the previous layer.
// -D parameters: TS (tile edge, default 16, from common.cl). Needs common.cl before it.

__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void dense_backward(__global float* delta_prev,         // (rows, m) out
              __global const float* delta,        // (rows, n)
              __global const float* w,            // (n, m)
              __global const float* z_prev,       // (rows, m)
              __global const float* a_prev,       // (rows, m)
              const int rows, const int n, const int m, const int act) {
    __local float ds[TS][TS + 1];   // ds[row in tile][j in slice]
    __local float wt[TS][TS + 1];   // wt[j in slice][k in tile]
    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int k = get_group_id(0) * TS + lx;   // the input neuron this item computes and loads
    const int r = get_group_id(1) * TS + ly;   // the row this item computes and loads
    float acc = 0.0f;
    for (int j0 = 0; j0 < n; j0 += TS) {
        const int jd = j0 + lx;   // the delta column this item loads
        const int jw = j0 + ly;   // the W row this item loads
        ds[ly][lx] = (r < rows && jd < n) ? delta[r * n + jd] : 0.0f;
        wt[ly][lx] = (jw < n && k < m) ? w[jw * m + k] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int jj = 0; jj < TS; ++jj) {
            acc += ds[ly][jj] * wt[jj][lx];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (r < rows && k < m) {
        const int i = r * m + k;
        delta_prev[i] = acc * activation_derivative(z_prev[i], a_prev[i], act);
    }
}
