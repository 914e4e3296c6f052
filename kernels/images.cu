// images.cu: twins of CpuBackend.im2col, col2im and shiftImages (ImageKernels): convolutions as GEMMs, and augmentation.
//
// Images are (n, h, w, c), channels last. The geometry arguments are Patches' (h, w, c, kh, kw,
// stride, pad). Every output element is written by one thread with the CPU's expression in the
// CPU's order (col2im sums over ky, then kx, ascending, from 0.0f), so the bits match.
// Launch: grid-stride over the output elements, block 256.
#include "common.cuh"

// cols:(batch*oh*ow, kh*kw*c): row (b, oy, ox), column (ky, kx, ci) = x[b, oy*s-pad+ky, ox*s-pad+kx, ci] or 0.
extern "C" __global__ void im2col(float* cols, const float* x, int batch, int h, int w, int c, int kh, int kw,
                                  int stride, int pad) {
    const int oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
    const int k = kh * kw * c;
    const long long total = (long long)batch * oh * ow * k;
    EBM_FOR_EACH(i, total) {
        const long long row = i / k;
        const int col = (int)(i % k);
        const int b = (int)(row / (oh * ow)), at = (int)(row % (oh * ow)), oy = at / ow, ox = at % ow;
        const int ky = col / (kw * c), kx = (col / c) % kw, ci = col % c;
        const int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
        cols[i] = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0.0f
                : x[(((long long)b * h + iy) * w + ix) * c + ci];
    }
}

// dx:(batch, h, w, c) = sum of the dcols entries that read each pixel, ky then kx ascending.
extern "C" __global__ void col2im(float* dx, const float* dcols, int batch, int h, int w, int c, int kh, int kw,
                                  int stride, int pad) {
    const int oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
    const int k = kh * kw * c;
    const long long total = (long long)batch * h * w * c;
    EBM_FOR_EACH(i, total) {
        const int ci = (int)(i % c);
        const long long pixel = i / c;
        const int ix = (int)(pixel % w), iy = (int)((pixel / w) % h), b = (int)(pixel / ((long long)w * h));
        float sum = 0.0f;
        for (int ky = 0; ky < kh; ky++) {
            const int ty = iy + pad - ky;
            if (ty < 0 || ty % stride != 0 || ty / stride >= oh) continue;
            for (int kx = 0; kx < kw; kx++) {
                const int tx = ix + pad - kx;
                if (tx < 0 || tx % stride != 0 || tx / stride >= ow) continue;
                const long long row = ((long long)b * oh + ty / stride) * ow + tx / stride;
                sum += dcols[row * k + (ky * kw + kx) * c + ci];
            }
        }
        dx[i] = sum;
    }
}

// out:(rows, h, w, c) = in shifted by (dy, dx) from row r's Philox block (step from counters[0..1]):
// dy = word0 % (2m+1) - m, dx = word1 % (2m+1) - m (unsigned); pixels from outside are fill.
extern "C" __global__ void shift_images(float* out, const float* in, int rows, int h, int w, int c, int maxShift,
                                        float fill, unsigned long long seed, const int* counters, int stream) {
    const unsigned long long step = ebm_step(counters);
    const unsigned int span = 2u * (unsigned int)maxShift + 1u;
    const long long pixels = (long long)h * w * c;
    const long long total = (long long)rows * pixels;
    EBM_FOR_EACH(i, total) {
        const long long r = i / pixels;
        const int at = (int)(i % pixels);
        const int ci = at % c, x = (at / c) % w, y = at / (c * w);
        unsigned int words[4];
        philox_block_call(seed, step, stream, (unsigned long long)r, words);
        const int dy = (int)(words[0] % span) - maxShift, dxs = (int)(words[1] % span) - maxShift;
        const int sy = y - dy, sx = x - dxs;
        out[i] = sy < 0 || sy >= h || sx < 0 || sx >= w ? fill : in[r * pixels + ((long long)sy * w + sx) * c + ci];
    }
}
