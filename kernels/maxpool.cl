// maxpool.cl: max pooling, nn.MaxPool2d(kernel_size=K, stride=S) (no padding): windows at
// (oy S, ox S), OH = (H - K) / S + 1, OW = (W - K) / S + 1 (floor, the host's numbers).
//
// Layout: in, z_prev, a_prev and delta_prev are (rows, C, H, W); out, argmax and delta are
// (rows, C, OH, OW), each row one sample in NCHW order.
//
// Kernels (1-D, global size rounded up to the work-group size; no atomics, deterministic):
//   maxpool_forward   one work-item per output: out = the window's maximum, argmax = y W + x of its
//                     FIRST maximum in row-major order (scan dy, then dx; replaced only by a strictly
//                     greater value), an index into the sample's channel plane as PyTorch's
//                     max_pool2d_with_indices gives it
//   maxpool_backward  one work-item per INPUT element (c, y, x): the sum, over the outputs whose
//                     window holds it (oy, then ox, ascending) and whose argmax it is, of their
//                     delta; times f'(z_prev) of the activation act that produced the input
//                     (identity if none)
//   maxpool_activation one work-item per output: a = f(z) of the activation written after the
//                     pooling (maxpool:K,relu), whose z is the pooled block
// -D parameters: none. Needs common.cl before it. Remainders as subtractions: see conv.cl.

__kernel void maxpool_forward(__global float* out,         // (rows, C, OH, OW) out
                              __global int* argmax,        // (rows, C, OH, OW) out
                              __global const float* in,    // (rows, C, H, W)
                              const int planes,            // rows * C
                              const int h, const int w, const int k, const int s, const int oh, const int ow) {
    const int i = get_global_id(0);
    if (i >= planes * oh * ow) {
        return;
    }
    const int row_y = i / ow;            // (plane, oy)
    const int ox = i - row_y * ow;
    const int plane = row_y / oh;
    const int oy = row_y - plane * oh;
    __global const float* src = in + plane * h * w;
    int best = (oy * s) * w + ox * s;
    float mx = src[best];
    for (int dy = 0; dy < k; ++dy) {
        for (int dx = 0; dx < k; ++dx) {
            const int at = (oy * s + dy) * w + ox * s + dx;
            const float v = src[at];
            if (v > mx) {
                mx = v;
                best = at;
            }
        }
    }
    out[i] = mx;
    argmax[i] = best;
}

__kernel void maxpool_backward(__global float* delta_prev,      // (rows, C, H, W) out
                               __global const float* delta,     // (rows, C, OH, OW)
                               __global const int* argmax,      // (rows, C, OH, OW)
                               __global const float* z_prev,    // (rows, C, H, W)
                               __global const float* a_prev,    // (rows, C, H, W)
                               const int planes,
                               const int h, const int w, const int k, const int s, const int oh, const int ow,
                               const int act) {
    const int i = get_global_id(0);
    if (i >= planes * h * w) {
        return;
    }
    const int plane = i / (h * w);
    const int at = i - plane * (h * w);
    const int y = at / w;
    const int x = at - y * w;
    // The windows holding (y, x): oy S <= y < oy S + K, i.e. oy from ceil((y - K + 1) / S) to y / S.
    const int oy0 = y >= k ? (y - k) / s + 1 : 0;
    const int ox0 = x >= k ? (x - k) / s + 1 : 0;
    const int oy1 = min(y / s, oh - 1);
    const int ox1 = min(x / s, ow - 1);
    __global const float* d = delta + plane * oh * ow;
    __global const int* idx = argmax + plane * oh * ow;
    float acc = 0.0f;
    for (int oy = oy0; oy <= oy1; ++oy) {
        for (int ox = ox0; ox <= ox1; ++ox) {
            if (idx[oy * ow + ox] == at) {
                acc += d[oy * ow + ox];
            }
        }
    }
    delta_prev[i] = acc * activation_derivative(z_prev[i], a_prev[i], act);
}

__kernel void maxpool_activation(__global float* a,          // (n) out
                                 __global const float* z,    // (n)
                                 const int n, const int act) {
    const int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    a[i] = activate(z[i], act);
}
