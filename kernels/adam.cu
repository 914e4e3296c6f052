// adam.cu: twin of CpuBackend.adamStep (AdamKernel): one pass over all parameters, bit-identical per element.
//
// t = counters[2] + 1 is read from device memory (a captured graph replays with new steps). The
// step scalars follow AdamKernel exactly: omb = 1f - beta (float); bc = (float)(1 - pow(beta, t))
// in double; lrT = (float)(lr * warm * decay) in double with warm = min(1, t / warmup) (warmup <= 0:
// 1) and decay = (D - min(t, D) + 1) / D for D = decaySteps (D <= 0: 1), as AdamSpec.lrAt. Thread 0
// of each block computes them once into shared memory. Per element, float, in AdamKernel's order:
//   m = beta1*m + omb1*g;  v = beta2*v + omb2*(g*g);  mhat = m/bc1;  vhat = v/bc2;
//   p = p - (lrT*mhat) / (sqrtf(vhat) + eps)
// No contraction into fma (-fmad=false); IEEE division and sqrtf match Java's.
// Launch: grid-stride over n, block 256.
#include "common.cuh"

extern "C" __global__ void adam_step(float* params, const float* grads, float* m, float* v, long long n,
                                     const int* counters, float lr, float beta1, float beta2, float eps,
                                     int warmupSteps, long long decaySteps) {
    __shared__ float s_scalars[5];   // omb1, omb2, bc1, bc2, lrT
    if (threadIdx.x == 0) {
        const long long t = (long long)counters[2] + 1;
        s_scalars[0] = 1.0f - beta1;
        s_scalars[1] = 1.0f - beta2;
        s_scalars[2] = (float)(1.0 - pow((double)beta1, (double)t));
        s_scalars[3] = (float)(1.0 - pow((double)beta2, (double)t));
        double warm = 1.0;
        if (warmupSteps > 0) {
            const double ratio = (double)t / warmupSteps;
            warm = ratio < 1.0 ? ratio : 1.0;
        }
        double decay = 1.0;
        if (decaySteps > 0) {
            const long long done = t < decaySteps ? t : decaySteps;
            decay = (double)(decaySteps - done + 1) / (double)decaySteps;
        }
        s_scalars[4] = (float)((double)lr * warm * decay);
    }
    __syncthreads();
    const float omb1 = s_scalars[0], omb2 = s_scalars[1];
    const float bc1 = s_scalars[2], bc2 = s_scalars[3], lrT = s_scalars[4];
    EBM_FOR_EACH(i, n) {
        const float gi = grads[i];
        const float mi = beta1 * m[i] + omb1 * gi;
        const float vi = beta2 * v[i] + omb2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        const float mhat = mi / bc1;
        const float vhat = vi / bc2;
        params[i] = params[i] - lrT * mhat / (sqrtf(vhat) + eps);
    }
}
