// bias_elu.cu: twins of CpuBackend.biasElu, addBias and eluBackward (ElementwiseKernels.biasElu, addBias, eluBackward).
//
// ELU (alpha 1) as the CPU computes it: x > 0 ? x : expm1(x), with expm1 built from fmaf and
// exact float operations only (ElementwiseKernels.expm1: range reduction, a degree-7 polynomial,
// 2^k from the exponent bits), then results smaller than 1e-30 in magnitude flushed to zero
// (ElementwiseKernels.FLUSH_BELOW). Every step is IEEE-rounded the same way on the GPU, on the
// host emulator and in Java (-fmad=false keeps nvcc from contracting the plain products), so ELU
// agrees with the CPU bit for bit, with no dependence on CUDA's exp.
// Launch: grid-stride over rows*cols (or n), block 256.
#include "common.cuh"

#define EBM_FLUSH_BELOW 1e-30f

__device__ __forceinline__ float ebm_flush(float v) {
    return fabsf(v) < EBM_FLUSH_BELOW ? 0.0f : v;
}

/** ElementwiseKernels.expm1(x) for x <= 0, operation for operation. */
__device__ __forceinline__ float ebm_expm1(float x) {
    const float shift = 12582912.0f;   // 1.5 * 2^23
    const float c = x < -20.0f ? -20.0f : x;   // NaN passes through
    const float t = fmaf(c, 1.44269504f, shift);
    const float k = t - shift;
    float r = fmaf(k, -0.693145751953125f, c);
    r = fmaf(k, -1.428606765330187045e-06f, r);
    float h = fmaf(r, 1.0f / 362880, 1.0f / 40320);
    h = fmaf(h, r, 1.0f / 5040);
    h = fmaf(h, r, 1.0f / 720);
    h = fmaf(h, r, 1.0f / 120);
    h = fmaf(h, r, 1.0f / 24);
    h = fmaf(h, r, 1.0f / 6);
    h = fmaf(h, r, 0.5f);
    const float p = fmaf(h * r, r, r);
    const float scale = __int_as_float((__float_as_int(t) - (__float_as_int(shift) - 127)) << 23);
    return fmaf(scale, p, scale - 1.0f);
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
