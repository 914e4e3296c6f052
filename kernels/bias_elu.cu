// bias_elu.cu: twins of CpuBackend.biasElu, addBias and eluBackward (ElementwiseKernels.biasElu, addBias, eluBackward).
//
// ELU (alpha 1) as the CPU computes it: x > 0 ? x : expm1(x), with expm1 evaluated in double
// and rounded once (a 4-term series above -1e-3, exp(x) - 1 below), then results smaller than
// 1e-30 in magnitude flushed to zero (ElementwiseKernels.FLUSH_BELOW). Double exp differs from
// Java's by at most an ulp of a double, so the float results agree except in rare ties.
// Launch: grid-stride over rows*cols (or n), block 256.
#include "common.cuh"

#define EBM_FLUSH_BELOW 1e-30f

__device__ __forceinline__ float ebm_flush(float v) {
    return fabsf(v) < EBM_FLUSH_BELOW ? 0.0f : v;
}

/** ElementwiseKernels.expm1(x) for x <= 0. */
__device__ __forceinline__ float ebm_expm1(float x) {
    const double d = x;
    if (d > -1e-3) {
        return (float)(d * (1.0 + d * (0.5 + d * (1.0 / 6 + d * (1.0 / 24)))));
    }
    return (float)(exp(d) - 1.0);
}

// out:(rows,cols) = flush(elu(out + bias)), in place; bias:(cols).
extern "C" __global__ void bias_elu(float* out, const float* bias, int rows, int cols) {
    const long long total = (long long)rows * cols;
    EBM_FOR_EACH(i, total) {
        const float x = out[i] + bias[ebm_col(i, cols)];
        out[i] = ebm_flush(x > 0.0f ? x : ebm_expm1(x));
    }
}

// out:(rows,cols) += bias:(cols), in place.
extern "C" __global__ void add_bias(float* out, const float* bias, int rows, int cols) {
    const long long total = (long long)rows * cols;
    EBM_FOR_EACH(i, total) out[i] = out[i] + bias[ebm_col(i, cols)];
}

// grad[i] *= elu'(pre) from the ELU output: unchanged where out > 0, else times (out + 1).
extern "C" __global__ void elu_backward(float* grad, const float* out, long long n) {
    EBM_FOR_EACH(i, n) {
        const float o = out[i];
        if (!(o > 0.0f)) grad[i] = grad[i] * (o + 1.0f);
    }
}
