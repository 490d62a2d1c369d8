// philox.cl: Philox4x32-10, the counter-based generator of Random123 (Salmon et al., SC'11), and
// dropout's uniform number per (seed, step, layer, element). The same function as
// backpropcl.model.Philox4x32, word for word, so every engine draws the same mask on the same
// step: uint arithmetic only (mul_hi for the high word, the wrapping product for the low one),
// and a float made exactly from 24 bits, which every OpenCL device rounds the same way.
//
//   philox4x32_10(ctr, key)   4 x 32 random bits of counter ctr under key (Random123's word order)
//   philox_uniform(seed_lo, seed_hi, step_lo, step_hi, layer, element)
//                             counter (element, layer, step_lo, step_hi), key (seed_lo, seed_hi);
//                             word 0's top 24 bits * 2^-24, in [0, 1)
//
// Kernel (one work-item per element, 1-D, global size rounded up to the work-group size):
//   philox_fill   out (n) = philox_uniform(seed, step, layer, i) for i in [0, n); for the tests,
//                 which compare it bit for bit with the Java function
// -D parameters: none. Needs nothing before it.

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

// One round: Random123's _philox4x32round.
inline uint4 philox_round(const uint4 x, const uint2 key) {
    return (uint4) (mul_hi(PHILOX_M1, x.z) ^ x.y ^ key.x, PHILOX_M1 * x.z,
                    mul_hi(PHILOX_M0, x.x) ^ x.w ^ key.y, PHILOX_M0 * x.x);
}

inline uint4 philox4x32_10(uint4 ctr, uint2 key) {
    ctr = philox_round(ctr, key);
    for (int r = 1; r < 10; r++) {
        key += (uint2) (PHILOX_W0, PHILOX_W1);
        ctr = philox_round(ctr, key);
    }
    return ctr;
}

inline float philox_uniform(const uint seed_lo, const uint seed_hi, const uint step_lo, const uint step_hi,
                            const uint layer, const uint element) {
    const uint4 r = philox4x32_10((uint4) (element, layer, step_lo, step_hi), (uint2) (seed_lo, seed_hi));
    return (float) (r.x >> 8) * 0x1.0p-24f;
}

__kernel void philox_fill(__global float* out,    // (n) out
                          const int n,
                          const uint seed_lo, const uint seed_hi,
                          const uint step_lo, const uint step_hi,
                          const int layer) {
    const int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    out[i] = philox_uniform(seed_lo, seed_hi, step_lo, step_hi, (uint) layer, (uint) i);
}
