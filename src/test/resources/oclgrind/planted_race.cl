// Planted fault for ci/oclgrind-suite (a test fixture, never part of the product): each work-item
// writes its own slot of a local tile and then reads its neighbour's slot with no barrier in
// between. On a CPU runtime that runs a group's items one after another the result looks right;
// on a GPU the neighbour may not have written yet. Oclgrind --data-races must report it.
__kernel void planted_race(__global const float* in, __global float* out, __local float* tile) {
    const int lid = get_local_id(0);
    tile[lid] = in[get_global_id(0)];
    // The missing line: barrier(CLK_LOCAL_MEM_FENCE);
    out[get_global_id(0)] = tile[(lid + 1) % get_local_size(0)];
}
