// output_error.cl: the error of the output layer, delta = dC_x/dz per sample (not divided by the
// batch size), with the one-hot targets y built here from the device-resident labels (the label
// of batch row r is labels[order[start + r]], or labels[start + r] in file order).
//
// Kernels:
//   output_error                   one work-item per element of the (rows, n) block, 1-D, global
//                                  size rounded up to the work-group size. cost = COST_CROSS_ENTROPY
//                                  (with a sigmoid or softmax output): delta = a - y. cost =
//                                  COST_QUADRATIC with an element-wise output: delta = (a - y) f'(z).
//   output_error_softmax_quadratic quadratic cost after a softmax output: the product with the
//                                  softmax Jacobian, delta_j = a_j (g_j - sum_k g_k a_k), g = a - y.
//                                  One work-item per row (the output layer is narrow), 1-D.
// -D parameters: none. Needs common.cl before it.

__kernel void output_error(__global float* delta,        // (rows, n) out
                           __global const float* z,      // (rows, n)
                           __global const float* a,      // (rows, n)
                           __global const int* labels,   // (count)
                           __global const int* order,    // (count), read only when shuffled
                           const int shuffled, const int start, const int rows, const int n,
                           const int cost, const int act) {
    const int i = get_global_id(0);
    if (i >= rows * n) {
        return;
    }
    const int r = i / n;
    const int j = i - r * n;
    const int label = labels[sample_index(order, shuffled, start, r)];
    const float g = a[i] - (j == label ? 1.0f : 0.0f);
    delta[i] = cost == COST_CROSS_ENTROPY ? g : g * activation_derivative(z[i], a[i], act);
}

__kernel void output_error_softmax_quadratic(__global float* delta,       // (rows, n) out
                                             __global const float* a,     // (rows, n)
                                             __global const int* labels,  // (count)
                                             __global const int* order,   // (count), when shuffled
                                             const int shuffled, const int start, const int rows,
                                             const int n) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int label = labels[sample_index(order, shuffled, start, r)];
    __global const float* ar = a + r * n;
    float dot = 0.0f;
    for (int k = 0; k < n; ++k) {
        const float g = ar[k] - (k == label ? 1.0f : 0.0f);
        dot += g * ar[k];
    }
    for (int k = 0; k < n; ++k) {
        const float g = ar[k] - (k == label ? 1.0f : 0.0f);
        delta[r * n + k] = ar[k] * (g - dot);
    }
}
