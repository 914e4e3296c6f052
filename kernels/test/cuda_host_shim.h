// cuda_host_shim.h: just enough of CUDA's device dialect to compile kernels/*.cu as host C++ for the emulator (no GPU needed).
//
// Included first by kernels.cpp, the one translation unit that holds the kernels. Each CUDA
// thread of a block runs as a fiber (scheduler.cpp); __syncthreads parks it, and the scheduler
// resumes the block's fibers pass by pass, so every live thread finishes one barrier interval
// before any starts the next (exactly a barrier's guarantee; threads that return stop taking
// part). Device math maps to the host libm: exp/log/pow may differ from CUDA's by an ulp of a
// double, everything else (+ - * /, sqrtf, fmaf) is IEEE on both sides, and the emulator is built
// with -ffp-contract=off to match nvcc -fmad=false.
//
// The sanitizer (sanitizer.cpp) sees every load and store of the kernels because kernels.cpp is
// compiled with -fsanitize=thread; two definitions here serve it:
//  * __shared__ is a function-local static. Blocks run one after another, so one copy is enough,
//    and shared_memory.ld gathers all writable data of kernels.o into one section, so an address
//    inside that section IS shared memory. (A section attribute here would be simpler, but GCC 12
//    drops it from statics inside function templates, i.e. gemm_tile's tiles.)
//  * __syncthreads() passes its source position, so that barrier divergence (threads of one block
//    waiting at different barriers) can be told and named. The empty asm statements with a
//    "memory" clobber keep the compiler from moving loads or stores of shared memory across the
//    barrier, as nvcc treats __syncthreads.
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

/** Parks the calling CUDA thread (a fiber) until every live thread of its block got here (scheduler.cpp). */
void ebm_barrier(const char* site);

#define EBM_STRINGIFY2(x) #x
#define EBM_STRINGIFY(x) EBM_STRINGIFY2(x)

inline void ebm_barrier_fenced(const char* site) {
    asm volatile("" ::: "memory");
    ebm_barrier(site);
    asm volatile("" ::: "memory");
}

#define __syncthreads() ebm_barrier_fenced(__FILE__ ":" EBM_STRINGIFY(__LINE__))

inline int __float_as_int(float f) { int i; memcpy(&i, &f, 4); return i; }
inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
inline long long __double_as_longlong(double d) { long long i; memcpy(&i, &d, 8); return i; }
inline double __longlong_as_double(long long i) { double d; memcpy(&d, &i, 8); return d; }

/** The host's steady clock in ns, standing in for %globaltimer (timer.cu). */
unsigned long long ebm_emulator_ns();
