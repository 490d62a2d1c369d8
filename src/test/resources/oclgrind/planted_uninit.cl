// Planted fault for ci/oclgrind-suite (a test fixture, never part of the product): every work-item
// but the first fills its slot of a local tile, and then all of them copy slot 0, which nothing
// wrote, to global memory. Oclgrind --uninitialized must report the uninitialized value.
__kernel void planted_uninit(__global const float* in, __global float* out, __local float* tile) {
    const int lid = get_local_id(0);
    if (lid > 0) {
        tile[lid] = in[get_global_id(0)];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    out[get_global_id(0)] = tile[0];
}
