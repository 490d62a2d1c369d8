// conv.cl: a 2-D convolution layer, direct (no im2col): nn.Conv2d(C, F, kernel_size=K, stride=S,
// padding=P) with bias, zero padding.
//
// Layout: a block of `rows` samples, each row one sample in NCHW order (PyTorch's contiguous
// (N, C, H, W)). x, z_prev, a_prev and delta_prev are (rows, C, H, W); z, a and delta are
// (rows, F, OH, OW) with OH = (H + 2P - K) / S + 1, OW = (W + 2P - K) / S + 1 (floor, the host's
// numbers); W is (F, C, K, K), b is (F).
//
// Kernels (one work-item per output element, 1-D, global size rounded up to the work-group size;
// every sum runs in one fixed order, so the results are deterministic, no atomics):
//   conv_forward           z (rows, F, OH, OW) = sum over c, ky, kx of W[f, c, ky, kx] x[r, c, oy S - P + ky,
//                          ox S - P + kx] (0 outside the input) + b[f], a = f(z) for the element-wise
//                          activation act after the layer (identity: a = z)
//   conv_backward          delta_prev (rows, C, H, W) = sum over the filters f and kernel positions (ky, kx)
//                          that read input element (c, y, x) of delta[r, f, oy, ox] W[f, c, ky, kx], times
//                          f'(z_prev) of the activation act that produced the input (identity if none)
//   conv_weight_gradients  grad_w (F, C, K, K) = 1/rows sum over r, oy, ox (in that order) of
//                          delta[r, f, oy, ox] x[r, c, oy S - P + ky, ox S - P + kx]
//   conv_bias_gradients    grad_b (F) = 1/rows sum over r, oy, ox of delta[r, f, oy, ox]
// The gradients are those of the batch-mean cost, as dense_gradients.cl's; no parameter is changed
// here (the engine's sgd_step or update.cl takes the step).
//
// The im2col variant runs the products on dense_forward.cl's, dense_backward.cl's and
// dense_gradients.cl's kernels (ConvLayer.Im2col) with these around them (P = OH * OW positions,
// CKK = C * K * K):
//   conv_im2col          cols (rows P, CKK): row (r, oy, ox) holds the input values its window reads,
//                        column (c, ky, kx), 0 in the padding; then z^T = cols W^T + b is dense_forward
//   conv_transpose       out (rows, A, B) from in (rows, B, A): (rows, P, F), the products' layout, back
//                        to NCHW's (rows, F, P) with A = F, B = P, and delta the other way
//   conv_col2im          delta_prev (rows, C, H, W) = the sum of dcols over the (position, tap) pairs
//                        that read the element (positions ascending), times f'(z_prev) as conv_backward
//   conv_scale           v (n) *= s: the products' gradients divide by rows P; times P gives 1/rows
// -D parameters: none. Needs common.cl before it.
//
// Remainders are written q = i / n, i - q * n, never as i % n beside i / n: clang turns such a pair
// into a freeze instruction, which Oclgrind 21.10's uninitialized-value check cannot run (it stops
// with "Unsupported instruction: freeze"); the same holds in maxpool.cl and batchnorm.cl.

// The geometry every kernel takes, in this order: rows, C, H, W, F, K, S, P, OH, OW.
#define CONV_GEOMETRY const int rows, const int c_in, const int h, const int w, const int f_out, \
                      const int k, const int s, const int p, const int oh, const int ow

__kernel void conv_forward(__global float* z,            // (rows, F, OH, OW) out
                           __global float* a,            // (rows, F, OH, OW) out
                           __global const float* x,      // (rows, C, H, W)
                           __global const float* wt,     // (F, C, K, K)
                           __global const float* b,      // (F)
                           CONV_GEOMETRY, const int act) {
    const int i = get_global_id(0);
    if (i >= rows * f_out * oh * ow) {
        return;
    }
    const int row_y = i / ow;            // (r, f, oy)
    const int ox = i - row_y * ow;
    const int plane = row_y / oh;        // (r, f)
    const int oy = row_y - plane * oh;
    const int r = plane / f_out;
    const int f = plane - r * f_out;
    const int y0 = oy * s - p;
    const int x0 = ox * s - p;
    float acc = 0.0f;
    for (int c = 0; c < c_in; ++c) {
        __global const float* plane = x + (r * c_in + c) * h * w;
        __global const float* wk = wt + (f * c_in + c) * k * k;
        for (int ky = 0; ky < k; ++ky) {
            const int y = y0 + ky;
            if (y < 0 || y >= h) {
                continue;
            }
            for (int kx = 0; kx < k; ++kx) {
                const int xx = x0 + kx;
                if (xx >= 0 && xx < w) {
                    acc += wk[ky * k + kx] * plane[y * w + xx];
                }
            }
        }
    }
    const float zz = acc + b[f];
    z[i] = zz;
    a[i] = activate(zz, act);
}

__kernel void conv_backward(__global float* delta_prev,      // (rows, C, H, W) out
                            __global const float* delta,     // (rows, F, OH, OW)
                            __global const float* wt,        // (F, C, K, K)
                            __global const float* z_prev,    // (rows, C, H, W)
                            __global const float* a_prev,    // (rows, C, H, W)
                            CONV_GEOMETRY, const int act) {
    const int i = get_global_id(0);
    if (i >= rows * c_in * h * w) {
        return;
    }
    const int row_y = i / w;             // (r, c, y)
    const int xx = i - row_y * w;
    const int plane = row_y / h;         // (r, c)
    const int y = row_y - plane * h;
    const int r = plane / c_in;
    const int c = plane - r * c_in;
    // Output (oy, ox) reads this element at ky = y + P - oy S, kx = x + P - ox S, 0 <= ky, kx < K.
    float acc = 0.0f;
    for (int f = 0; f < f_out; ++f) {
        __global const float* dplane = delta + (r * f_out + f) * oh * ow;
        __global const float* wk = wt + (f * c_in + c) * k * k;
        for (int ky = 0; ky < k; ++ky) {
            const int ty = y + p - ky;
            const int oy = ty / s;
            if (ty < 0 || oy * s != ty || oy >= oh) {
                continue;
            }
            for (int kx = 0; kx < k; ++kx) {
                const int tx = xx + p - kx;
                const int ox = tx / s;
                if (tx >= 0 && ox * s == tx && ox < ow) {
                    acc += dplane[oy * ow + ox] * wk[ky * k + kx];
                }
            }
        }
    }
    delta_prev[i] = acc * activation_derivative(z_prev[i], a_prev[i], act);
}

__kernel void conv_weight_gradients(__global float* grad_w,       // (F, C, K, K) out
                                    __global const float* delta,  // (rows, F, OH, OW)
                                    __global const float* x,      // (rows, C, H, W)
                                    CONV_GEOMETRY) {
    const int i = get_global_id(0);
    if (i >= f_out * c_in * k * k) {
        return;
    }
    const int row_y = i / k;             // (f, c, ky)
    const int kx = i - row_y * k;
    const int fc = row_y / k;            // (f, c)
    const int ky = row_y - fc * k;
    const int f = fc / c_in;
    const int c = fc - f * c_in;
    float acc = 0.0f;
    for (int r = 0; r < rows; ++r) {
        __global const float* dplane = delta + (r * f_out + f) * oh * ow;
        __global const float* plane = x + (r * c_in + c) * h * w;
        for (int oy = 0; oy < oh; ++oy) {
            const int y = oy * s - p + ky;
            if (y < 0 || y >= h) {
                continue;
            }
            for (int ox = 0; ox < ow; ++ox) {
                const int xx = ox * s - p + kx;
                if (xx >= 0 && xx < w) {
                    acc += dplane[oy * ow + ox] * plane[y * w + xx];
                }
            }
        }
    }
    grad_w[i] = acc / (float) rows;
}

__kernel void conv_bias_gradients(__global float* grad_b,         // (F) out
                                  __global const float* delta,    // (rows, F, OH, OW)
                                  const int rows, const int f_out, const int positions) {   // positions = OH * OW
    const int f = get_global_id(0);
    if (f >= f_out) {
        return;
    }
    float acc = 0.0f;
    for (int r = 0; r < rows; ++r) {
        __global const float* dplane = delta + (r * f_out + f) * positions;
        for (int q = 0; q < positions; ++q) {
            acc += dplane[q];
        }
    }
    grad_b[f] = acc / (float) rows;
}

__kernel void conv_im2col(__global float* cols,          // (rows OH OW, C K K) out
                          __global const float* x,       // (rows, C, H, W)
                          CONV_GEOMETRY) {
    const int i = get_global_id(0);
    const int ckk = c_in * k * k;
    if (i >= rows * oh * ow * ckk) {
        return;
    }
    const int pos = i / ckk;             // (r, oy, ox)
    const int tap = i - pos * ckk;       // (c, ky, kx)
    const int r = pos / (oh * ow);
    const int q = pos - r * (oh * ow);
    const int oy = q / ow;
    const int ox = q - oy * ow;
    const int c = tap / (k * k);
    const int t = tap - c * (k * k);
    const int ky = t / k;
    const int kx = t - ky * k;
    const int y = oy * s - p + ky;
    const int xx = ox * s - p + kx;
    cols[i] = (y >= 0 && y < h && xx >= 0 && xx < w) ? x[((r * c_in + c) * h + y) * w + xx] : 0.0f;
}

__kernel void conv_transpose(__global float* out,          // (rows, A, B) out
                             __global const float* in,     // (rows, B, A)
                             const int rows, const int na, const int nb) {
    const int i = get_global_id(0);
    if (i >= rows * na * nb) {
        return;
    }
    const int ra = i / nb;               // (r, a)
    const int b = i - ra * nb;
    const int r = ra / na;
    const int a = ra - r * na;
    out[i] = in[(r * nb + b) * na + a];
}

__kernel void conv_col2im(__global float* delta_prev,      // (rows, C, H, W) out
                          __global const float* dcols,     // (rows OH OW, C K K)
                          __global const float* z_prev,    // (rows, C, H, W)
                          __global const float* a_prev,    // (rows, C, H, W)
                          CONV_GEOMETRY, const int act) {
    const int i = get_global_id(0);
    if (i >= rows * c_in * h * w) {
        return;
    }
    const int row_y = i / w;
    const int xx = i - row_y * w;
    const int plane = row_y / h;
    const int y = row_y - plane * h;
    const int r = plane / c_in;
    const int c = plane - r * c_in;
    const int ckk = c_in * k * k;
    float acc = 0.0f;
    for (int oy = 0; oy < oh; ++oy) {
        const int ky = y + p - oy * s;
        if (ky < 0 || ky >= k) {
            continue;
        }
        for (int ox = 0; ox < ow; ++ox) {
            const int kx = xx + p - ox * s;
            if (kx >= 0 && kx < k) {
                acc += dcols[((r * oh + oy) * ow + ox) * ckk + (c * k + ky) * k + kx];
            }
        }
    }
    delta_prev[i] = acc * activation_derivative(z_prev[i], a_prev[i], act);
}

__kernel void conv_scale(__global float* v,     // (n) updated in place
                         const int n, const float scale) {
    const int i = get_global_id(0);
    if (i < n) {
        v[i] *= scale;
    }
}
