// sampling.cu: twins of CpuBackend.uniformFill, langevinUpdate, addNoise and clamp (Philox noise, bit-identical to the CPU).
//
// The Philox kernels give each thread one Philox block, i.e. elements 4g .. 4g+3 (g = the
// block index, counter (g, step lo, step hi, stream)); step is read from counters[0..1] in
// device memory so a captured graph draws new numbers on every replay.
// Launch: grid-stride over ceil(n/4) groups, block 256.
#include "common.cuh"

// x[0..n) = lo + (hi - lo) * U.
extern "C" __global__ void uniform_fill(float* x, long long n, float lo, float hi,
                                        unsigned long long seed, const int* counters, int stream) {
    const unsigned long long step = ebm_step(counters);
    const float scale = hi - lo;
    const long long groups = (n + 3) / 4;
    EBM_FOR_EACH(g, groups) {
        unsigned int w[4];
        philox_block_call(seed, step, stream, (unsigned long long)g, w);
        const long long base = g * 4;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            if (base + j < n) x[base + j] = lo + scale * philox_uniform(w[j]);
        }
    }
}

// x = x - alpha * clip(grad, gradClip) + sigma * z, computed as t = x - alpha*g; x = t + sigma*z
// (PhiloxKernels.langevin). gradClip <= 0: no clipping; NaN gradients pass through unclipped.
extern "C" __global__ void langevin_update(float* x, const float* grad, long long n, float alpha,
                                           float sigma, float gradClip, unsigned long long seed,
                                           const int* counters, int stream) {
    const unsigned long long step = ebm_step(counters);
    const long long groups = (n + 3) / 4;
    EBM_FOR_EACH(g, groups) {
        float z[4];
        philox_normals4(seed, step, stream, (unsigned long long)g, z);
        const long long base = g * 4;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const long long i = base + j;
            if (i < n) {
                float gi = grad[i];
                if (gradClip > 0.0f) gi = gi < -gradClip ? -gradClip : (gi > gradClip ? gradClip : gi);
                const float t = x[i] - alpha * gi;
                x[i] = t + sigma * z[j];
            }
        }
    }
}

// x += sigma * z.
extern "C" __global__ void add_noise(float* x, long long n, float sigma, unsigned long long seed,
                                     const int* counters, int stream) {
    const unsigned long long step = ebm_step(counters);
    const long long groups = (n + 3) / 4;
    EBM_FOR_EACH(g, groups) {
        float z[4];
        philox_normals4(seed, step, stream, (unsigned long long)g, z);
        const long long base = g * 4;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const long long i = base + j;
            if (i < n) x[i] = x[i] + sigma * z[j];
        }
    }
}

// x = min(max(x, lo), hi) as ElementwiseKernels.clamp: values below lo become lo, above hi
// become hi, anything else (NaN included) stays. Launch: grid-stride over n, block 256.
extern "C" __global__ void clamp(float* x, long long n, float lo, float hi) {
    EBM_FOR_EACH(i, n) {
        const float v = x[i];
        if (v < lo) x[i] = lo;
        else if (v > hi) x[i] = hi;
    }
}
