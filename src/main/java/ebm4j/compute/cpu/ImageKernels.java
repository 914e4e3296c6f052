package ebm4j.compute.cpu;

import ebm4j.compute.Patches;
import ebm4j.compute.Philox;
import java.nio.FloatBuffer;

/**
 * The CPU's image ops: im2col and its adjoint col2im for convolutions as GEMMs, and the random
 * translation of augmentation. Each writes a disjoint range given by its caller's split, and every
 * sum is taken in a fixed order, so results do not depend on the number of threads; the CUDA
 * kernels (kernels/images.cu) compute the same expressions in the same order.
 */
final class ImageKernels {
    private ImageKernels() {}

    /** Rows [from, to) of cols:(batch * positions, patchSize) from x:(batch, h, w, c). */
    static void im2col(FloatBuffer cols, int colsBase, FloatBuffer x, int xBase, Patches p, int from, int to) {
        int oh = p.outHeight(), ow = p.outWidth(), c = p.channels(), k = p.patchSize();
        for (int row = from; row < to; row++) {
            int b = row / (oh * ow), at = row % (oh * ow), oy = at / ow, ox = at % ow;
            int out = colsBase + row * k;
            for (int ky = 0; ky < p.kernelH(); ky++) {
                int iy = oy * p.stride() - p.pad() + ky;
                for (int kx = 0; kx < p.kernelW(); kx++) {
                    int ix = ox * p.stride() - p.pad() + kx;
                    if (iy < 0 || iy >= p.height() || ix < 0 || ix >= p.width()) {
                        for (int ci = 0; ci < c; ci++) {
                            cols.put(out + ci, 0f);
                        }
                    } else {
                        cols.put(out, x, xBase + ((b * p.height() + iy) * p.width() + ix) * c, c);
                    }
                    out += c;
                }
            }
        }
    }

    /** Image rows [from, to) of dx (a row = one (b, iy) line of width * channels values). */
    static void col2im(FloatBuffer dx, int dxBase, FloatBuffer dcols, int colsBase, Patches p, int from, int to) {
        int oh = p.outHeight(), ow = p.outWidth(), c = p.channels(), k = p.patchSize(), s = p.stride();
        for (int line = from; line < to; line++) {
            int b = line / p.height(), iy = line % p.height();
            for (int ix = 0; ix < p.width(); ix++) {
                for (int ci = 0; ci < c; ci++) {
                    float sum = 0f;
                    for (int ky = 0; ky < p.kernelH(); ky++) {
                        int ty = iy + p.pad() - ky;
                        if (ty < 0 || ty % s != 0 || ty / s >= oh) {
                            continue;
                        }
                        for (int kx = 0; kx < p.kernelW(); kx++) {
                            int tx = ix + p.pad() - kx;
                            if (tx < 0 || tx % s != 0 || tx / s >= ow) {
                                continue;
                            }
                            int row = (b * oh + ty / s) * ow + tx / s;
                            sum += dcols.get(colsBase + row * k + (ky * p.kernelW() + kx) * c + ci);
                        }
                    }
                    dx.put(dxBase + ((b * p.height() + iy) * p.width() + ix) * c + ci, sum);
                }
            }
        }
    }

    /** Rows [from, to) of out = in shifted by the row's Philox-drawn (dy, dx). */
    static void shift(FloatBuffer out, int outBase, FloatBuffer in, int inBase, int h, int w, int c, int maxShift,
                      float fill, long seed, long step, int stream, int from, int to) {
        int[] words = new int[4];
        int span = 2 * maxShift + 1, pixels = h * w * c;
        for (int r = from; r < to; r++) {
            Philox.block(seed, step, stream, r, words);
            int dy = (int) (Integer.toUnsignedLong(words[0]) % span) - maxShift;
            int dx = (int) (Integer.toUnsignedLong(words[1]) % span) - maxShift;
            int o = outBase + r * pixels, i = inBase + r * pixels;
            for (int y = 0; y < h; y++) {
                int sy = y - dy;
                for (int x = 0; x < w; x++) {
                    int sx = x - dx;
                    int at = o + (y * w + x) * c;
                    if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                        for (int ci = 0; ci < c; ci++) {
                            out.put(at + ci, fill);
                        }
                    } else {
                        out.put(at, in, i + (sy * w + sx) * c, c);
                    }
                }
            }
        }
    }
}
