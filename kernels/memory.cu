// memory.cu: twin of CpuBackend.fill (copy uses cuMemcpyDtoDAsync, which graphs capture as a memcpy node).
#include "common.cuh"

// x[0..n) = value. Launch: grid-stride over n, block 256.
extern "C" __global__ void fill(float* x, long long n, float value) {
    EBM_FOR_EACH(i, n) x[i] = value;
}
