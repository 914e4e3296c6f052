// column_sums.cu: twin of CpuBackend.columnSums (ElementwiseKernels.columnSums), the bias gradient.
//
// One thread per column sums the rows in order in float from 0 (the CPU's order, so the bits
// match), then out = beta == 0 ? sum : sum + beta*out. Reads are coalesced across a warp
// (consecutive columns of one row). Launch: grid ceil(cols/256), block 256.
#include "common.cuh"

// out:(cols) = sum over rows of in:(rows,cols) + beta*out.
extern "C" __global__ void column_sums(float* out, const float* in, int rows, int cols, float beta) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    float acc = 0.0f;
    for (int r = 0; r < rows; r++) acc += in[(long long)r * cols + c];
    out[c] = beta == 0.0f ? acc : acc + beta * out[c];
}
