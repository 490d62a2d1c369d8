// fused_tail.cl: everything of a training step after the first layer's forward pass, in ONE
// launch of ONE work-group, for networks whose later layers are small (784-16-16-10: the tail
// 16-16-10 is 4,160 multiply-adds a batch of 10). A launch costs more than such a layer's
// arithmetic on every runtime (5-50 us); this kernel replaces the 2T + 2 launches of a T-layer
// tail (forward per layer, output error, backward per layer, gradients per layer) by one, which
// leaves three launches a step: gather, the first layer's forward, this, the first layer's
// gradients.
//
// Phases, separated by work-group barriers on global memory (every buffer here is read and
// written by this one work-group only):
//   1. forward through the tail layers: z = a_prev W^T + b, a = f(z) (softmax per row);
//   2. the output error delta (cross-entropy: a - y; quadratic: (a - y) f'(z), or the softmax
//      Jacobian product after a softmax);
//   3. backward through the tail down to the first layer's delta (delta_in);
//   4. gradients and SGD of every tail layer (after phase 3, which needs W before its update).
// Results equal the separate kernels' up to float rounding order; every sum runs in a fixed
// order in one work-item, so a run is deterministic.
//
// Layout as engine.reference.ReferenceEngine. Up to 3 tail layers (T = 1..3); tail layer t has
// inputs n[t] and outputs n[t + 1]; the buffers of unused layers are never touched.
// Launch: global = local = one work-group of any size. -D parameters: none. Needs common.cl.

#define TAIL_MAX 3

__kernel void train_tail(const int T, const int rows,
                         const int n0, const int n1, const int n2, const int n3,
                         const int act_in, const int act1, const int act2, const int act3,
                         const int cost, const float eta,
                         __global const int* labels, __global const int* order,
                         const int shuffled, const int start,
                         __global const float* z_in, __global const float* a_in,
                         __global float* delta_in,
                         __global float* w1, __global float* b1, __global float* gw1,
                         __global float* gb1, __global float* z1, __global float* a1,
                         __global float* d1,
                         __global float* w2, __global float* b2, __global float* gw2,
                         __global float* gb2, __global float* z2, __global float* a2,
                         __global float* d2,
                         __global float* w3, __global float* b3, __global float* gw3,
                         __global float* gb3, __global float* z3, __global float* a3,
                         __global float* d3) {
    const int lid = get_local_id(0);
    const int wg = get_local_size(0);
    const int n[TAIL_MAX + 1] = {n0, n1, n2, n3};
    const int act[TAIL_MAX + 1] = {act_in, act1, act2, act3};
    __global float* W[TAIL_MAX] = {w1, w2, w3};
    __global float* B[TAIL_MAX] = {b1, b2, b3};
    __global float* GW[TAIL_MAX] = {gw1, gw2, gw3};
    __global float* GB[TAIL_MAX] = {gb1, gb2, gb3};
    __global float* Z[TAIL_MAX] = {z1, z2, z3};
    __global float* A[TAIL_MAX] = {a1, a2, a3};
    __global float* D[TAIL_MAX] = {d1, d2, d3};

    // 1. Forward.
    for (int t = 0; t < T; ++t) {
        const int m = n[t];
        const int nn = n[t + 1];
        __global const float* in = t == 0 ? a_in : A[t - 1];
        __global const float* w = W[t];
        for (int i = lid; i < rows * nn; i += wg) {
            const int r = i / nn;
            const int j = i - r * nn;
            float s = 0.0f;
            for (int k = 0; k < m; ++k) {
                s += in[r * m + k] * w[j * m + k];
            }
            s += B[t][j];
            Z[t][i] = s;
            A[t][i] = activate(s, act[t + 1]);
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
    const int L = T - 1;
    const int nOut = n[T];
    __global float* aOut = A[L];
    __global const float* zOut = Z[L];
    if (act[T] == ACT_SOFTMAX) {
        for (int r = lid; r < rows; r += wg) {
            float mx = -INFINITY;
            for (int j = 0; j < nOut; ++j) {
                mx = fmax(mx, zOut[r * nOut + j]);
            }
            float sum = 0.0f;
            for (int j = 0; j < nOut; ++j) {
                sum += exp(zOut[r * nOut + j] - mx);
            }
            const float inv = 1.0f / sum;
            for (int j = 0; j < nOut; ++j) {
                aOut[r * nOut + j] = exp(zOut[r * nOut + j] - mx) * inv;
            }
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }

    // 2. Output error.
    __global float* dOut = D[L];
    if (cost == COST_QUADRATIC && act[T] == ACT_SOFTMAX) {
        for (int r = lid; r < rows; r += wg) {
            const int label = labels[sample_index(order, shuffled, start, r)];
            __global const float* ar = aOut + r * nOut;
            float dot = 0.0f;
            for (int k = 0; k < nOut; ++k) {
                dot += (ar[k] - (k == label ? 1.0f : 0.0f)) * ar[k];
            }
            for (int k = 0; k < nOut; ++k) {
                dOut[r * nOut + k] = ar[k] * ((ar[k] - (k == label ? 1.0f : 0.0f)) - dot);
            }
        }
    } else {
        for (int i = lid; i < rows * nOut; i += wg) {
            const int r = i / nOut;
            const int j = i - r * nOut;
            const int label = labels[sample_index(order, shuffled, start, r)];
            const float g = aOut[i] - (j == label ? 1.0f : 0.0f);
            dOut[i] = cost == COST_CROSS_ENTROPY ? g : g * activation_derivative(zOut[i], aOut[i], act[T]);
        }
    }
    barrier(CLK_GLOBAL_MEM_FENCE);

    // 3. Backward, down to the first layer's delta.
    for (int t = L; t >= 0; --t) {
        const int m = n[t];
        const int nn = n[t + 1];
        __global const float* d = D[t];
        __global const float* w = W[t];
        __global const float* zp = t == 0 ? z_in : Z[t - 1];
        __global const float* ap = t == 0 ? a_in : A[t - 1];
        __global float* dp = t == 0 ? delta_in : D[t - 1];
        for (int i = lid; i < rows * m; i += wg) {
            const int r = i / m;
            const int k = i - r * m;
            float s = 0.0f;
            for (int j = 0; j < nn; ++j) {
                s += d[r * nn + j] * w[j * m + k];
            }
            dp[i] = s * activation_derivative(zp[i], ap[i], act[t]);
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }

    // 4. Gradients and SGD of the tail layers.
    for (int t = 0; t < T; ++t) {
        const int m = n[t];
        const int nn = n[t + 1];
        __global const float* d = D[t];
        __global const float* ap = t == 0 ? a_in : A[t - 1];
        for (int i = lid; i < nn * m; i += wg) {
            const int j = i / m;
            const int k = i - j * m;
            float s = 0.0f;
            for (int r = 0; r < rows; ++r) {
                s += d[r * nn + j] * ap[r * m + k];
            }
            const float g = s / (float) rows;
            GW[t][i] = g;
            if (eta != 0.0f) {   // eta 0: gradients only, W left as it is
                W[t][i] -= eta * g;
            }
        }
        for (int j = lid; j < nn; j += wg) {
            float s = 0.0f;
            for (int r = 0; r < rows; ++r) {
                s += d[r * nn + j];
            }
            const float g = s / (float) rows;
            GB[t][j] = g;
            if (eta != 0.0f) {
                B[t][j] -= eta * g;
            }
        }
    }
}
