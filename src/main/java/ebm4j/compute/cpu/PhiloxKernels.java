package ebm4j.compute.cpu;

import ebm4j.compute.Philox;
import java.nio.FloatBuffer;

/**
 * The random kernels. Element i of a buffer takes word i%4 of Philox block i/4, counter
 * (i/4, step lo, step hi, stream), key seed: exactly element i of {@link Philox#uniforms} and
 * {@link Philox#normals} for the same (seed, step, stream), whatever range a part covers. Each
 * block is generated inline into the part's scratch words (no allocation per call or per block).
 */
final class PhiloxKernels {
    private PhiloxKernels() {}

    /** Philox's fixed inputs for one call: the key and the counter's step and stream words. */
    record Key(int k0, int k1, int stepLo, int stepHi, int stream) {
        static Key of(long seed, int stepLo, int stepHi, int stream) {
            return new Key((int) seed, (int) (seed >>> 32), stepLo, stepHi, stream);
        }

        void block(int index, int[] out) {
            Philox.block(index, stepLo, stepHi, stream, k0, k1, out);
        }
    }

    /** x[i] = lo + (hi - lo) * U_i for i in [from, to), as Philox.uniforms computes it. */
    static void uniform(FloatBuffer x, int xb, int from, int to, float lo, float hi, Key key, Scratch s) {
        float scale = hi - lo;
        int[] w = s.words;
        for (int blk = from >>> 2; blk << 2 < to; blk++) {
            key.block(blk, w);
            int i0 = blk << 2;
            for (int j = Math.max(0, from - i0), end = Math.min(4, to - i0); j < end; j++) {
                x.put(xb + i0 + j, lo + scale * Philox.uniform(w[j]));
            }
        }
    }

    /**
     * One Langevin step for i in [from, to): g = clip(grad[i]) (no clip when gradClip <= 0), then
     * {@code float t = x - alpha * g; x = t + sigma * z} in exactly that order, each product
     * rounded on its own (the CUDA twin builds without fused multiply-add and does the same).
     */
    static void langevin(FloatBuffer x, int xb, FloatBuffer grad, int gb, int from, int to,
                         float alpha, float sigma, float gradClip, Key key, Scratch s) {
        int[] w = s.words;
        float[] z = s.normals;
        for (int blk = from >>> 2; blk << 2 < to; blk++) {
            normals(key, blk, w, z);
            int i0 = blk << 2;
            for (int j = Math.max(0, from - i0), end = Math.min(4, to - i0); j < end; j++) {
                int i = i0 + j;
                float g = grad.get(gb + i);
                if (gradClip > 0f) {
                    g = g < -gradClip ? -gradClip : (g > gradClip ? gradClip : g);
                }
                float t = x.get(xb + i) - alpha * g;
                x.put(xb + i, t + sigma * z[j]);
            }
        }
    }

    /** x[i] = x[i] + sigma * z_i for i in [from, to). */
    static void addNoise(FloatBuffer x, int xb, int from, int to, float sigma, Key key, Scratch s) {
        int[] w = s.words;
        float[] z = s.normals;
        for (int blk = from >>> 2; blk << 2 < to; blk++) {
            normals(key, blk, w, z);
            int i0 = blk << 2;
            for (int j = Math.max(0, from - i0), end = Math.min(4, to - i0); j < end; j++) {
                x.put(xb + i0 + j, x.get(xb + i0 + j) + sigma * z[j]);
            }
        }
    }

    /** The 4 normals of block {@code blk}, as Philox.normals pairs the words: (0,1) and (2,3). */
    private static void normals(Key key, int blk, int[] w, float[] z) {
        key.block(blk, w);
        Philox.normalPair(w[0], w[1], z, 0);
        Philox.normalPair(w[2], w[3], z, 2);
    }
}
