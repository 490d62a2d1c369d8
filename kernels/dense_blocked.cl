// dense_blocked.cl: register-blocked matrix products with fused epilogues, the second family of the
// three products of a dense layer (the first is the local-memory tiled family of
// dense_forward.cl, dense_backward.cl and dense_gradients.cl; the host times both per shape and keeps the
// faster, see engine.opencl.KernelTuner).
//
// Each work-item computes a small block of outputs in registers, reading its operands with
// VW-wide vector loads straight from global memory: no local memory and no barriers. That suits
// CPU runtimes such as PoCL, where a barrier splits the kernel into loops over the work-group and
// a vector type maps onto SSE/AVX registers, and small products (batches of 10 to 256) whose
// operands sit in cache anyway.
//
// Layout as engine.reference.ReferenceEngine: batches are (rows, width) row-major, W is (n, m).
// Every output element is summed by one work-item in a fixed order (VW partial sums, added in a
// fixed order at the end), so results are deterministic. Any rows, n, m: blocks past an edge read
// a clamped (valid) index and skip their stores; vector loads only cover whole vectors inside a
// row, the rest of a row goes through a scalar tail.
//
// Kernels:
//   dense_forward_blocked         z = x W^T + b, a = f(z). Item (i, r) computes rows FR*r.. and
//                                 neurons FC*i.. ; global size (ceil(n/FC), ceil(rows/FR)). For
//                                 ACT_SOFTMAX it stores a = z (softmax_rows finishes the row).
//   dense_backward_blocked              delta_prev = (delta W) * f'(z_prev). Item (i, r) computes rows
//                                 BR*r.. and the VW input neurons VW*i.. ; global size
//                                 (ceil(m/VW), ceil(rows/BR)).
//   dense_weight_gradients_sgd_blocked  gradW = 1/B delta^T a_prev, W -= eta gradW, and for the items
//                                 of the first column block also gradB and b. Item (i, c)
//                                 computes neurons GC*c.. and inputs VW*i.. ; global size
//                                 (ceil(m/VW), ceil(n/GC)).
// -D parameters (defaults below): VW vector width (4 or 8), FR and FC (forward block), BR
// (backward rows per item), GC (gradient neurons per item). Needs common.cl before it.

#ifndef VW
#define VW 4
#endif
#ifndef FR
#define FR 2
#endif
#ifndef FC
#define FC 4
#endif
#ifndef BR
#define BR 4
#endif
#ifndef GC
#define GC 4
#endif

#define BPCL_CAT_(a, b) a##b
#define BPCL_CAT(a, b) BPCL_CAT_(a, b)
#define floatv BPCL_CAT(float, VW)
#define vloadv BPCL_CAT(vload, VW)
#define vstorev BPCL_CAT(vstore, VW)

// The sum of a vector's lanes, in a fixed order.
inline float lanes_sum(const floatv v) {
#if VW == 8
    const float4 h = v.lo + v.hi;
#else
    const float4 h = v;
#endif
    return (h.x + h.y) + (h.z + h.w);
}

__kernel void dense_forward_blocked(__global float* z,          // (rows, n) out
                                    __global float* a,          // (rows, n) out
                                    __global const float* x,    // (rows, m)
                                    __global const float* w,    // (n, m)
                                    __global const float* b,    // (n)
                                    const int rows, const int n, const int m, const int act) {
    const int j0 = get_global_id(0) * FC;
    const int r0 = get_global_id(1) * FR;
    if (j0 >= n || r0 >= rows) {
        return;
    }
    // Clamped row and neuron offsets: past an edge the block recomputes a valid output, unstored.
    int xo[FR];
    int wo[FC];
    for (int i = 0; i < FR; ++i) {
        xo[i] = min(r0 + i, rows - 1) * m;
    }
    for (int c = 0; c < FC; ++c) {
        wo[c] = min(j0 + c, n - 1) * m;
    }
    floatv acc[FR][FC];
    for (int i = 0; i < FR; ++i) {
        for (int c = 0; c < FC; ++c) {
            acc[i][c] = (floatv) 0.0f;
        }
    }
    const int mv = m - m % VW;
    for (int k = 0; k < mv; k += VW) {
        floatv xv[FR];
        for (int i = 0; i < FR; ++i) {
            xv[i] = vloadv(0, x + xo[i] + k);
        }
        for (int c = 0; c < FC; ++c) {
            const floatv wv = vloadv(0, w + wo[c] + k);
            for (int i = 0; i < FR; ++i) {
                acc[i][c] += xv[i] * wv;
            }
        }
    }
    for (int i = 0; i < FR; ++i) {
        const int r = r0 + i;
        for (int c = 0; c < FC; ++c) {
            const int j = j0 + c;
            float s = lanes_sum(acc[i][c]);
            for (int k = mv; k < m; ++k) {
                s += x[xo[i] + k] * w[wo[c] + k];
            }
            if (r < rows && j < n) {
                const float zz = s + b[j];
                z[r * n + j] = zz;
                a[r * n + j] = activate(zz, act);
            }
        }
    }
}

__kernel void dense_backward_blocked(__global float* delta_prev,         // (rows, m) out
                               __global const float* delta,        // (rows, n)
                               __global const float* w,            // (n, m)
                               __global const float* z_prev,       // (rows, m)
                               __global const float* a_prev,       // (rows, m)
                               const int rows, const int n, const int m, const int act) {
    const int k0 = get_global_id(0) * VW;
    const int r0 = get_global_id(1) * BR;
    if (k0 >= m || r0 >= rows) {
        return;
    }
    int dofs[BR];
    for (int i = 0; i < BR; ++i) {
        dofs[i] = min(r0 + i, rows - 1) * n;
    }
    if (k0 + VW <= m) {
        floatv acc[BR];
        for (int i = 0; i < BR; ++i) {
            acc[i] = (floatv) 0.0f;
        }
        for (int j = 0; j < n; ++j) {
            const floatv wv = vloadv(0, w + j * m + k0);
            for (int i = 0; i < BR; ++i) {
                acc[i] += delta[dofs[i] + j] * wv;
            }
        }
        for (int i = 0; i < BR; ++i) {
            const int r = r0 + i;
            if (r < rows) {
                float s[VW];
                vstorev(acc[i], 0, s);
                for (int t = 0; t < VW; ++t) {
                    const int o = r * m + k0 + t;
                    delta_prev[o] = s[t] * activation_derivative(z_prev[o], a_prev[o], act);
                }
            }
        }
    } else {
        // The last, partial vector of a row: scalar.
        for (int i = 0; i < BR; ++i) {
            const int r = r0 + i;
            if (r >= rows) {
                break;
            }
            for (int k = k0; k < m; ++k) {
                float s = 0.0f;
                for (int j = 0; j < n; ++j) {
                    s += delta[dofs[i] + j] * w[j * m + k];
                }
                const int o = r * m + k;
                delta_prev[o] = s * activation_derivative(z_prev[o], a_prev[o], act);
            }
        }
    }
}

__kernel void dense_weight_gradients_sgd_blocked(__global float* grad_w,         // (n, m) out
                                           __global float* w,              // (n, m) in place
                                           __global float* grad_b,         // (n) out
                                           __global float* b,              // (n) in place
                                           __global const float* delta,    // (rows, n)
                                           __global const float* a_prev,   // (rows, m)
                                           const int rows, const int n, const int m,
                                           const float eta) {
    const int k0 = get_global_id(0) * VW;
    const int j0 = get_global_id(1) * GC;
    if (k0 >= m || j0 >= n) {
        return;
    }
    int jc[GC];
    for (int c = 0; c < GC; ++c) {
        jc[c] = min(j0 + c, n - 1);
    }
    if (k0 + VW <= m) {
        floatv acc[GC];
        for (int c = 0; c < GC; ++c) {
            acc[c] = (floatv) 0.0f;
        }
        for (int r = 0; r < rows; ++r) {
            const floatv av = vloadv(0, a_prev + r * m + k0);
            for (int c = 0; c < GC; ++c) {
                acc[c] += delta[r * n + jc[c]] * av;
            }
        }
        for (int c = 0; c < GC; ++c) {
            if (j0 + c < n) {
                const int o = (j0 + c) * m + k0;
                const floatv g = acc[c] / (float) rows;
                vstorev(g, 0, grad_w + o);
                if (eta != 0.0f) {   // eta 0: gradients only, W left as it is
                    vstorev(vloadv(0, w + o) - eta * g, 0, w + o);
                }
            }
        }
    } else {
        for (int c = 0; c < GC && j0 + c < n; ++c) {
            for (int k = k0; k < m; ++k) {
                float s = 0.0f;
                for (int r = 0; r < rows; ++r) {
                    s += delta[r * n + j0 + c] * a_prev[r * m + k];
                }
                const int o = (j0 + c) * m + k;
                const float g = s / (float) rows;
                grad_w[o] = g;
                if (eta != 0.0f) {
                    w[o] -= eta * g;
                }
            }
        }
    }
    if (k0 == 0) {
        // The first column block also owns the biases of its neurons.
        for (int c = 0; c < GC && j0 + c < n; ++c) {
            float s = 0.0f;
            for (int r = 0; r < rows; ++r) {
                s += delta[r * n + j0 + c];
            }
            const float g = s / (float) rows;
            grad_b[j0 + c] = g;
            if (eta != 0.0f) {
                b[j0 + c] -= eta * g;
            }
        }
    }
}
