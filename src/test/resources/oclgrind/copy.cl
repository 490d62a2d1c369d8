// A correct kernel for ci/oclgrind-suite's planted API fault: the kernel is fine, the launch is not
// (a global size of 10 with work-groups of 4, which OpenCL 1.2 forbids). Oclgrind --check-api
// must report the CL_INVALID_WORK_GROUP_SIZE that clEnqueueNDRangeKernel returns.
__kernel void copy(__global const float* in, __global float* out, const int n) {
    const int i = get_global_id(0);
    if (i < n) {
        out[i] = in[i];
    }
}
