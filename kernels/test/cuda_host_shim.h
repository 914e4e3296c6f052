// cuda_host_shim.h: just enough of CUDA's device dialect to compile kernels/*.cu as host C++ for the emulator (no GPU needed).
//
// Each CUDA thread of a block runs as a fiber (ucontext) on one host thread; __syncthreads parks
// it, and the emulator resumes the block's fibers pass by pass, so every live thread finishes one
// barrier interval before any starts the next (exactly a barrier's guarantee; threads that return
// stop taking part). __shared__ variables are function statics (blocks run one after another, so
// one copy is enough). Execution is sequential, so a missing barrier is not detected as a race. Device math maps to the host libm: exp/log/pow may
// differ from CUDA's by an ulp of a double, everything else (+ - * /, sqrtf, fmaf) is IEEE on
// both sides, and the emulator is built with -ffp-contract=off to match nvcc -fmad=false.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>


#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

struct dim3 {
    unsigned int x = 1, y = 1, z = 1;
};

extern dim3 threadIdx;
extern dim3 blockIdx;
extern dim3 blockDim;
extern dim3 gridDim;

/** Parks the calling CUDA thread (a fiber) until every live thread of its block got here. */
void __syncthreads();

inline int __float_as_int(float f) { int i; memcpy(&i, &f, 4); return i; }
inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
inline long long __double_as_longlong(double d) { long long i; memcpy(&i, &d, 8); return i; }
inline double __longlong_as_double(long long i) { double d; memcpy(&d, &i, 8); return d; }

unsigned long long ebm_emulator_ns();
