// common.cuh: shared helpers for the ebm4j kernels (no kernels here; see the *.cu files).
//
// Conventions (mirrors ebm4j.compute.Backend): row-major float32, outputs first, inputs next,
// sizes last. Element counts that can exceed 2^31 are `long long` (Java long); row and column
// counts are `int` (Java int). Every elementwise kernel uses a grid-stride loop, so the Java
// launcher may cap the grid (KernelOps.grid) without losing elements.
#pragma once
#include "philox.cuh"

/** Grid-stride loop over [0, n) with a 64-bit index. */
#define EBM_FOR_EACH(i, n)                                                                  \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n);          \
         i += (long long)blockDim.x * gridDim.x)

/** The Philox step (counters[0] low word, counters[1] high word) as the unsigned 64-bit value. */
__device__ __forceinline__ unsigned long long ebm_step(const int* counters) {
    return (unsigned long long)(unsigned int)counters[0]
         | ((unsigned long long)(unsigned int)counters[1] << 32);
}

/** i % cols and i / cols, in 32-bit arithmetic when i fits (64-bit division is emulated). */
__device__ __forceinline__ int ebm_col(long long i, int cols) {
    return i <= 0x7FFFFFFFLL ? (int)i % cols : (int)(i % cols);
}

__device__ __forceinline__ long long ebm_row(long long i, int cols) {
    return i <= 0x7FFFFFFFLL ? (long long)((int)i / cols) : i / cols;
}

/** Java's Math.max(double, double): NaN if either is NaN, +0 over -0. */
__device__ __forceinline__ double java_max(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0 && b == 0.0) return __longlong_as_double(__double_as_longlong(a) & __double_as_longlong(b));
    return a >= b ? a : b;
}
