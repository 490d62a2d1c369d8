// metrics.cl: the cost and the number of correct answers of a block of samples, reduced on the
// device so that only two numbers per block ever cross the bus.
//
// Kernels:
//   metrics_reduce  ONE work-group of WG work-items (WG a power of two the host picks from the
//                   device's limits) for a (rows, n) block of the output layer: item i takes rows
//                   i, i + WG, i + 2 WG, ... in order, computing for each the sample cost (summed
//                   over the outputs) and whether argmax(a) == label (first maximum on ties); then
//                   a fixed-order tree reduction in local memory. Writes cost_sum[block] and
//                   hits[block]; the host sums the blocks. Deterministic for a given WG.
//                   Sample cost: quadratic 1/2 ||a - y||^2; cross-entropy after softmax
//                   logsumexp(z) - z[label]; after sigmoid sum_j y softplus(-z) + (1 - y) softplus(z)
//                   (from z, so ln 0 never occurs).
// -D parameters: none. Needs common.cl before it.

inline float softplus(const float x) {
    return x > 0.0f ? x + log1p(exp(-x)) : log1p(exp(x));
}

inline float sample_cost(__global const float* zr, __global const float* ar, const int n,
                         const int label, const int cost, const int act) {
    float c = 0.0f;
    if (cost == COST_QUADRATIC) {
        for (int j = 0; j < n; ++j) {
            const float d = ar[j] - (j == label ? 1.0f : 0.0f);
            c += 0.5f * d * d;
        }
    } else if (act == ACT_SOFTMAX) {
        float mx = -INFINITY;
        for (int j = 0; j < n; ++j) {
            mx = fmax(mx, zr[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < n; ++j) {
            sum += exp(zr[j] - mx);
        }
        c = mx + log(sum) - zr[label];
    } else {
        for (int j = 0; j < n; ++j) {
            c += j == label ? softplus(-zr[j]) : softplus(zr[j]);
        }
    }
    return c;
}

__kernel void metrics_reduce(__global float* cost_sum,      // (blocks) out: [block] written
                             __global int* hits,            // (blocks) out: [block] written
                             const int block,
                             __global const float* z,       // (rows, n) output layer
                             __global const float* a,       // (rows, n) output layer
                             __global const int* labels,    // (count)
                             __global const int* order,     // (count), read only when shuffled
                             const int shuffled, const int start, const int rows, const int n,
                             const int cost, const int act,
                             __local float* lcost,          // (WG)
                             __local int* lhits) {          // (WG)
    const int lid = get_local_id(0);
    const int wg = get_local_size(0);
    float c = 0.0f;
    int h = 0;
    for (int r = lid; r < rows; r += wg) {
        const int label = labels[sample_index(order, shuffled, start, r)];
        __global const float* zr = z + r * n;
        __global const float* ar = a + r * n;
        c += sample_cost(zr, ar, n, label, cost, act);
        int best = 0;
        for (int j = 1; j < n; ++j) {
            if (ar[j] > ar[best]) {
                best = j;
            }
        }
        h += best == label ? 1 : 0;
    }
    lcost[lid] = c;
    lhits[lid] = h;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = wg / 2; s > 0; s >>= 1) {
        if (lid < s) {
            lcost[lid] += lcost[lid + s];
            lhits[lid] += lhits[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        cost_sum[block] = lcost[0];
        hits[block] = lhits[0];
    }
}
