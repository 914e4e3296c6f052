// timer.cu: device-side twin of CpuPhaseTimer's begin/end for phases inside a captured CUDA graph (see CudaTimer).
//
// slots:(2*phases) unsigned 64-bit: slots[2p] the %globaltimer (ns) at the phase's last begin,
// slots[2p+1] the nanoseconds summed over its begin/end pairs. Captured as kernel nodes, so every
// replay of a graph adds its own time. Launch: 1 block of 1 thread.
#include "common.cuh"

extern "C" __global__ void timer_mark(unsigned long long* slots, int phase, int end) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    unsigned long long now;
#if defined(EBM_EMULATOR)
    now = ebm_emulator_ns();   // kernels/test: the host build has no globaltimer
#else
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
#endif
    if (end) {
        slots[2 * phase + 1] += now - slots[2 * phase];
    } else {
        slots[2 * phase] = now;
    }
}
