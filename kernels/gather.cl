// gather.cl: copies the rows of one mini-batch out of the device-resident data set into the
// (rows, width) float input block x of the first dense layer, through the epoch's permutation.
//
// Kernels (one work-item per element of x, 1-D, global size rounded up to the work-group size):
//   gather_rows_f32  features stored as float (count, width)
//   gather_rows_u8   features stored as one byte each (count, width), mapped through a 256-entry
//                    table (for IDX images table[k] = k / 255f, bit-identical to the host's floats)
// -D parameters: none. Needs common.cl before it.

__kernel void gather_rows_f32(__global float* x,               // (rows, width) out
                              __global const float* features,  // (count, width)
                              __global const int* order,       // (count), read only when shuffled
                              const int shuffled, const int start, const int rows, const int width) {
    const int i = get_global_id(0);
    if (i >= rows * width) {
        return;
    }
    const int r = i / width;
    const int c = i - r * width;
    const int s = sample_index(order, shuffled, start, r);
    x[i] = features[(size_t) s * (size_t) width + (size_t) c];
}

__kernel void gather_rows_u8(__global float* x,                // (rows, width) out
                             __global const uchar* features,   // (count, width)
                             __constant float* table,          // (256) byte -> feature value
                             __global const int* order,        // (count), read only when shuffled
                             const int shuffled, const int start, const int rows, const int width) {
    const int i = get_global_id(0);
    if (i >= rows * width) {
        return;
    }
    const int r = i / width;
    const int c = i - r * width;
    const int s = sample_index(order, shuffled, start, r);
    x[i] = table[features[(size_t) s * (size_t) width + (size_t) c]];
}
