// planted.cu: deliberate bugs, one per sanitizer detector, each beside its fix; compiled into the emulator only (never into the fatbin).
//
// kernels/build.sh compiles kernels/*.cu only, so nothing here reaches a GPU. Each kernel takes
// `fixed` (or `mode`): 0 runs the bug, anything else the corrected code, so the sanitizer's tests
// (CudaSanitizerTest) show both that a detector fires on the bug and that it stays silent on the
// same code fixed. Launch: one block of up to 256 threads unless said otherwise.
#include "common.cuh"

#define EBM_PLANTED_TILE 256

// Off by one: stores out[0..n] instead of out[0..n). Grid covers at least n + 1 threads.
extern "C" __global__ void planted_store(float* out, int n, int fixed) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (fixed ? i < n : i <= n) out[i] = (float)i;
}

// Reads past the end: out[i] = table[i] + table[i + 1], the bug forgets that the last element
// has no right neighbour and reads table[n].
extern "C" __global__ void planted_neighbour_sum(float* out, const float* table, int n, int fixed) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float right = (!fixed || i + 1 < n) ? table[i + 1] : 0.0f;
    out[i] = table[i] + right;
}

// acc[i] += x[i]: correct code whose bug is on the host side when acc was never initialised
// (a raw allocation, like cuMemAlloc's); the fix is a memset before the first launch.
extern "C" __global__ void planted_accumulate(float* acc, const float* x, int n) {
    EBM_FOR_EACH(i, n) acc[i] = acc[i] + x[i];
}

// Read after write without a barrier: out[t] = in[t - 1] through shared memory; the bug omits
// the __syncthreads between the tile store and the neighbour's load.
extern "C" __global__ void planted_shift_left(float* out, const float* in, int fixed) {
    __shared__ float tile[EBM_PLANTED_TILE];
    const int t = threadIdx.x;
    tile[t] = in[t];
    if (fixed) __syncthreads();
    out[t] = t > 0 ? tile[t - 1] : 0.0f;
}

// Write after read without a barrier: every thread reads its right neighbour's slot, then
// overwrites its own; the bug omits the __syncthreads between the two, so thread t + 1 may
// overwrite tile[t + 1] before thread t has read it.
extern "C" __global__ void planted_shift_right(float* out, const float* in, int fixed) {
    __shared__ float tile[EBM_PLANTED_TILE];
    const int t = threadIdx.x;
    tile[t] = in[t];
    __syncthreads();
    const float right = t + 1 < (int)blockDim.x ? tile[t + 1] : 0.0f;
    if (fixed) __syncthreads();
    tile[t] = right;
    __syncthreads();
    out[t] = tile[t];
}

// Write after write: the bug gives two threads one slot (t / 2), the fix one slot each.
extern "C" __global__ void planted_pair_slots(float* out, const float* in, int fixed) {
    __shared__ float tile[EBM_PLANTED_TILE];
    const int t = threadIdx.x;
    const int slot = fixed ? t : t / 2;
    tile[slot] = in[t];
    __syncthreads();
    out[t] = tile[slot];
}

// Shared memory read before any thread of the block wrote it: the bug stores even slots only,
// then every thread reads its partner's slot (t ^ 1). blockDim must be even.
extern "C" __global__ void planted_half_tile(float* out, const float* in, int fixed) {
    __shared__ float tile[EBM_PLANTED_TILE];
    const int t = threadIdx.x;
    if (fixed || t % 2 == 0) tile[t] = in[t];
    __syncthreads();
    out[t] = tile[t ^ 1];
}

// Barrier divergence. mode 0: one barrier for all (correct); mode 1: the upper half of the block
// returns before the barrier the lower half waits at; mode 2: odd and even threads wait at two
// different barriers.
extern "C" __global__ void planted_barrier(float* out, int mode) {
    const int t = threadIdx.x;
    out[t] = 0.0f;
    if (mode == 1 && t >= (int)blockDim.x / 2) return;
    if (mode == 2 && t % 2 == 1) {
        __syncthreads();
    } else {
        __syncthreads();
    }
    out[t] = 1.0f;
}

// A kernel that never ends: thread 0 waits for a flag that nothing sets (as a grid-wide wait on
// another block would on a GPU that cannot run both). The test harness's reply limit must end it.
extern "C" __global__ void planted_spin(const int* flag) {
    const volatile int* f = flag;   // volatile: a spin loop on a plain load is undefined, and is deleted
    while (f[0] == 0) {
    }
}
