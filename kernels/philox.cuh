// philox.cuh: line-for-line twin of ebm4j.compute.Philox (Philox4x32-10, uniforms, Box-Muller normals).
//
// Bit-identical to the Java class on purpose: the Langevin noise, the uniform starts and the
// noise injection on the GPU must equal the CPU backend's, so that whole training steps can be
// compared across devices. Rules that keep it so:
//  * integer parts are exact by construction (unsigned 32-bit wrap-around equals Java's int);
//  * float parts use only IEEE-exact operations: +, -, *, / (nvcc's default -prec-div=true),
//    sqrtf (-prec-sqrt=true) and fmaf exactly where Java calls Math.fma; the build passes
//    -fmad=false so nvcc never contracts a separate multiply and add into an fma;
//  * log, sin and cos are our own polynomials below, never the CUDA math library;
//  * the literals are the same decimal strings as in Philox.java (both round to nearest float).
// The functions are __host__ __device__ so a host test (PhiloxTwinTest) can run this very file
// on the CPU and compare it with the Java class bit for bit.
#pragma once

#if defined(__CUDACC__)
#define EBM_HD __host__ __device__ __forceinline__
#else
#define EBM_HD inline
#endif

#if !defined(__CUDA_ARCH__)
#include <math.h>
#include <string.h>
#endif

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

#define PHILOX_TWO_POW_MINUS_24 5.9604644775390625e-08f  /* 2^-24, exact */
#define PHILOX_LN2_HI 0.693145751953125f
#define PHILOX_LN2_LO 1.42860682030941723e-06f
#define PHILOX_HALF_PI 1.57079632679489662f

EBM_HD int philox_float_as_int(float f) {
#if defined(__CUDA_ARCH__)
    return __float_as_int(f);
#else
    int i;
    memcpy(&i, &f, sizeof i);
    return i;
#endif
}

EBM_HD float philox_int_as_float(int i) {
#if defined(__CUDA_ARCH__)
    return __int_as_float(i);
#else
    float f;
    memcpy(&f, &i, sizeof f);
    return f;
#endif
}

EBM_HD float philox_fma(float a, float b, float c) {
    return fmaf(a, b, c);   // correctly rounded on both sides, like Math.fma(float, float, float)
}

/** Philox.block(c0..c3, k0, k1, out): the 4 output words of Philox4x32-10. */
EBM_HD void philox_block(unsigned int c0, unsigned int c1, unsigned int c2, unsigned int c3,
                         unsigned int k0, unsigned int k1, unsigned int out[4]) {
    for (int round = 0; round < 10; round++) {
        unsigned long long p0 = (unsigned long long)PHILOX_M0 * (unsigned long long)c0;
        unsigned long long p1 = (unsigned long long)PHILOX_M1 * (unsigned long long)c2;
        unsigned int hi0 = (unsigned int)(p0 >> 32), lo0 = (unsigned int)p0;
        unsigned int hi1 = (unsigned int)(p1 >> 32), lo1 = (unsigned int)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/** Philox.block(seed, step, stream, blockIndex, out): block blockIndex of a call. */
EBM_HD void philox_block_call(unsigned long long seed, unsigned long long step, int stream,
                              unsigned long long blockIndex, unsigned int out[4]) {
    philox_block((unsigned int)blockIndex, (unsigned int)step, (unsigned int)(step >> 32),
                 (unsigned int)stream, (unsigned int)seed, (unsigned int)(seed >> 32), out);
}

/** Philox.uniform(word): the top 24 bits as a float in [0,1), exact. */
EBM_HD float philox_uniform(unsigned int word) {
    return (float)(word >> 8) * PHILOX_TWO_POW_MINUS_24;
}

/** Philox.log(u) for u in (0, 1]. */
EBM_HD float philox_log(float u) {
    int bits = philox_float_as_int(u);
    int e = (int)(((unsigned int)bits >> 23) & 0xFFu) - 127;
    float m = philox_int_as_float((bits & 0x007FFFFF) | 0x3F800000);   // [1, 2)
    if (m > 1.41421356f) {
        m = m * 0.5f;
        e += 1;
    }
    float f = (m - 1.0f) / (m + 1.0f);
    float f2 = f * f;
    float p = philox_fma(f2, 0.11111111f, 0.14285714f);
    p = philox_fma(f2, p, 0.2f);
    p = philox_fma(f2, p, 0.33333334f);
    p = philox_fma(f2, p, 1.0f);
    float logm = 2.0f * f * p;   // (2f * f) * p, left to right as in Java
    return philox_fma((float)e, PHILOX_LN2_HI, philox_fma((float)e, PHILOX_LN2_LO, logm));
}

/** Philox.sinQuarter(x), x in [0, pi/2). */
EBM_HD float philox_sin_quarter(float x) {
    float x2 = x * x;
    float p = philox_fma(x2, 1.6059044e-10f, -2.5052108e-8f);
    p = philox_fma(x2, p, 2.7557319e-6f);
    p = philox_fma(x2, p, -1.9841270e-4f);
    p = philox_fma(x2, p, 8.3333333e-3f);
    p = philox_fma(x2, p, -1.6666667e-1f);
    return philox_fma(x * x2, p, x);
}

/** Philox.cosQuarter(x), x in [0, pi/2). */
EBM_HD float philox_cos_quarter(float x) {
    float x2 = x * x;
    float p = philox_fma(x2, -1.1470746e-11f, 2.0876757e-9f);
    p = philox_fma(x2, p, -2.7557319e-7f);
    p = philox_fma(x2, p, 2.4801587e-5f);
    p = philox_fma(x2, p, -1.3888889e-3f);
    p = philox_fma(x2, p, 4.1666667e-2f);
    p = philox_fma(x2, p, -0.5f);
    return philox_fma(x2, p, 1.0f);
}

/** Philox.normalPair(a, b, out, at): two Box-Muller normals from one word pair. */
EBM_HD void philox_normal_pair(unsigned int a, unsigned int b, float* z0, float* z1) {
    float u = (float)((a >> 8) + 1u) * PHILOX_TWO_POW_MINUS_24;       // (0, 1], exact
    float radius = sqrtf(-2.0f * philox_log(u));                      // correctly rounded
    unsigned int quadrant = b >> 30;
    float theta = (float)((b >> 6) & 0xFFFFFFu) * PHILOX_TWO_POW_MINUS_24 * PHILOX_HALF_PI;
    float s = philox_sin_quarter(theta);
    float c = philox_cos_quarter(theta);
    float sn, cs;
    switch (quadrant) {
        case 0: cs = c; sn = s; break;
        case 1: cs = -s; sn = c; break;
        case 2: cs = -c; sn = -s; break;
        default: cs = s; sn = -c; break;
    }
    *z0 = radius * cs;
    *z1 = radius * sn;
}

/** The 4 normals of block blockIndex of a call (elements 4*blockIndex .. +3 of Philox.normals). */
EBM_HD void philox_normals4(unsigned long long seed, unsigned long long step, int stream,
                            unsigned long long blockIndex, float z[4]) {
    unsigned int w[4];
    philox_block_call(seed, step, stream, blockIndex, w);
    philox_normal_pair(w[0], w[1], &z[0], &z[1]);
    philox_normal_pair(w[2], w[3], &z[2], &z[3]);
}
