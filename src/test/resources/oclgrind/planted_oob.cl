// Planted fault for ci/oclgrind-suite (a test fixture, never part of the product): a neighbour sum
// whose guard checks the output index but not the input index i + 1, so the last work-item reads
// one float past the end of `in`. Oclgrind must report an invalid read.
__kernel void planted_oob(__global const float* in, __global float* out, const int n) {
    const int i = get_global_id(0);
    if (i < n) {
        out[i] = in[i] + in[i + 1];
    }
}
