package ebm4j.compute.cpu;

import ebm4j.compute.Philox;
import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The random kernels. Element i of a buffer takes word i%4 of Philox block i/4, counter
 * (i/4, step lo, step hi, stream), key seed: exactly element i of {@link Philox#uniforms} and
 * {@link Philox#normals} for the same (seed, step, stream), whatever range a part covers.
 *
 * <p>Work goes a chunk of {@link #CHUNK} elements at a time through the part's {@link Scratch}:
 * <ol>
 *   <li>{@link #words}: the Philox blocks, {@link #L} blocks per vector (one block per lane). The
 *       32x32-bit products need their high halves, which the Vector API has no operation for, so
 *       each is assembled from four 16x16-bit products (exact in int lanes); that is still ~3x
 *       cheaper than the scalar 64-bit products, whose ten dependent rounds per block kept the
 *       scalar version latency-bound at ~5 ns per element;</li>
 *   <li>for normals, {@link #pairPrep}: the integer half of Box-Muller on each word pair, as
 *       floats (all exact), then {@link #boxMuller}: the floating-point half;</li>
 *   <li>a scalar pass puts the results back in element order and applies the op.</li>
 * </ol>
 * Every step is {@link Philox}'s arithmetic lane for lane (integer ops wrap the same way, and IEEE
 * add, multiply, divide, sqrt and fused multiply-add give the same bits in a vector lane as in a
 * scalar; the quadrant switch becomes selects and exact negations), so the numbers are
 * bit-identical to {@link Philox}, as the CUDA twin requires. Vectors never cross a method call:
 * each stage reads and writes scratch arrays, because C2 boxes a vector that crosses a call it
 * did not inline (and stops inlining in large methods), which is slower than scalar code. The
 * buffers are moved in and out with bulk copies, much cheaper per float than indexed gets and
 * puts on a direct buffer.
 */
final class PhiloxKernels {
    private PhiloxKernels() {}

    /** Elements per chunk: a multiple of 4 * 2 * vector lanes, small enough to stay in L1. */
    static final int CHUNK = 512;
    /** Philox blocks per chunk. */
    static final int BLOCKS = CHUNK / 4;
    /** Box-Muller pairs per chunk (two per Philox block). */
    static final int PAIRS = CHUNK / 2;

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    /** Lanes per vector (the int and float species have the same shape). */
    static final int L = FS.length();

    // Philox4x32-10 constants and the Box-Muller ones, as in ebm4j.compute.Philox.
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final int M0_HI = M0 >>> 16, M0_LO = M0 & 0xFFFF;
    private static final int M1_HI = M1 >>> 16, M1_LO = M1 & 0xFFFF;
    private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.42860682030941723e-06f;
    private static final float HALF_PI = 1.57079632679489662f;
    /** Philox's fixed inputs for one call: the key and the counter's step and stream words. */
    record Key(int k0, int k1, int stepLo, int stepHi, int stream) {
        static Key of(long seed, int stepLo, int stepHi, int stream) {
            return new Key((int) seed, (int) (seed >>> 32), stepLo, stepHi, stream);
        }

        void block(int index, int[] out) {
            Philox.block(index, stepLo, stepHi, stream, k0, k1, out);
        }
    }

    /** Blocks needed for elements [start, end) with start % 4 == 0, rounded up to whole vectors. */
    private static int vectorBlocks(int start, int end) {
        int blocks = (end - start + 3) >>> 2;
        return (blocks + L - 1) / L * L;
    }

    /** x[i] = lo + (hi - lo) * U_i for i in [from, to), as Philox.uniforms computes it. */
    static void uniform(FloatBuffer x, int xb, int from, int to, float lo, float hi, Key key, Scratch s) {
        float scale = hi - lo;
        float[] xs = s.chunkX;
        int[][] w = {s.w0, s.w1, s.w2, s.w3};
        for (int start = from & ~3; start < to; start += CHUNK) {
            int end = Math.min(start + CHUNK, to);
            words(key, start >>> 2, vectorBlocks(start, end), s);
            int first = Math.max(from, start);
            for (int i = first; i < end; i++) {
                int e = i - start;
                xs[i - first] = lo + scale * Philox.uniform(w[e & 3][e >>> 2]);
            }
            x.put(xb + first, xs, 0, end - first);
        }
    }

    /**
     * One Langevin step for i in [from, to): g = clip(grad[i]) (no clip when gradClip <= 0), then
     * {@code float t = x - alpha * g; x = t + sigma * z} in exactly that order, each product
     * rounded on its own (the CUDA twin builds without fused multiply-add and does the same).
     */
    static void langevin(FloatBuffer x, int xb, FloatBuffer grad, int gb, int from, int to,
                         float alpha, float sigma, float gradClip, Key key, Scratch s) {
        float[] z = s.normals;
        float[] xs = s.chunkX;
        float[] gs = s.chunkG;
        for (int start = from & ~3; start < to; start += CHUNK) {
            int end = Math.min(start + CHUNK, to);
            normals(key, start, end, s);
            int lo = Math.max(from, start);
            int n = end - lo;
            int zo = lo - start;
            x.get(xb + lo, xs, 0, n);
            grad.get(gb + lo, gs, 0, n);
            if (gradClip > 0f) {
                for (int j = 0; j < n; j++) {
                    float g = gs[j];
                    gs[j] = g < -gradClip ? -gradClip : (g > gradClip ? gradClip : g);
                }
            }
            for (int j = 0; j < n; j++) {
                float t = xs[j] - alpha * gs[j];
                xs[j] = t + sigma * z[zo + j];
            }
            x.put(xb + lo, xs, 0, n);
        }
    }

    /** x[i] = x[i] + sigma * z_i for i in [from, to). */
    static void addNoise(FloatBuffer x, int xb, int from, int to, float sigma, Key key, Scratch s) {
        float[] z = s.normals;
        float[] xs = s.chunkX;
        for (int start = from & ~3; start < to; start += CHUNK) {
            int end = Math.min(start + CHUNK, to);
            normals(key, start, end, s);
            int lo = Math.max(from, start);
            int n = end - lo;
            int zo = lo - start;
            x.get(xb + lo, xs, 0, n);
            for (int j = 0; j < n; j++) {
                xs[j] = xs[j] + sigma * z[zo + j];
            }
            x.put(xb + lo, xs, 0, n);
        }
    }

    /**
     * s.normals[0, end - start) = elements [start, end) of the normal stream; start % 4 == 0 and
     * end - start <= CHUNK. Whole vectors of blocks are generated (the extra normals are unused).
     * Pair q < nb is words (0, 1) of block q, pair nb + q words (2, 3), nb the blocks generated.
     */
    static void normals(Key key, int start, int end, Scratch s) {
        int nb = vectorBlocks(start, end);
        words(key, start >>> 2, nb, s);
        pairPrep(s.w0, s.w1, 0, nb, s);
        pairPrep(s.w2, s.w3, nb, nb, s);
        boxMuller(s.mant, s.expo, s.angle, s.quad, s.radiusCos, s.radiusSin, 2 * nb);
        float[] rc = s.radiusCos;
        float[] rs = s.radiusSin;
        float[] z = s.normals;
        for (int b = 0, blocks = (end - start + 3) >>> 2; b < blocks; b++) {
            z[4 * b] = rc[b];
            z[4 * b + 1] = rs[b];
            z[4 * b + 2] = rc[nb + b];
            z[4 * b + 3] = rs[nb + b];
        }
    }

    /**
     * s.w0..s.w3[i] = the four words of Philox block firstBlock + i, i in [0, count), count a
     * multiple of {@link #L}: Philox.block with one block per lane, one round at a time over the
     * four word arrays ({@link #round} is a method of its own: C2 stops intrinsifying Vector API
     * calls once a method's graph passes its inlining node budget, and ten rounds inline far
     * more than that).
     */
    static void words(Key key, int firstBlock, int count, Scratch s) {
        int[] w0 = s.w0, w1 = s.w1, w2 = s.w2, w3 = s.w3;
        for (int i = 0; i < count; i++) {
            w0[i] = firstBlock + i;
        }
        Arrays.fill(w1, 0, count, key.stepLo());
        Arrays.fill(w2, 0, count, key.stepHi());
        Arrays.fill(w3, 0, count, key.stream());
        int k0 = key.k0(), k1 = key.k1();
        for (int r = 0; r < 10; r++) {
            round(w0, w1, w2, w3, count, k0, k1);
            k0 += W0;
            k1 += W1;
        }
    }

    /**
     * One Philox round on blocks [0, count) held in word arrays, with round key (k0, k1). A 32x32-bit
     * product is a*M = ah*Mh*2^32 + (ah*Ml + al*Mh)*2^16 + al*Ml in 16-bit halves; each partial
     * product fits 32 unsigned bits, and the carries out of the middle are added into the high word.
     */
    private static void round(int[] w0, int[] w1, int[] w2, int[] w3, int count, int k0, int k1) {
        for (int g = 0; g < count; g += L) {
            IntVector c0 = IntVector.fromArray(IS, w0, g);
            IntVector c2 = IntVector.fromArray(IS, w2, g);
            IntVector al = c0.and(0xFFFF);
            IntVector ah = c0.lanewise(VectorOperators.LSHR, 16);
            IntVector ll = al.mul(M0_LO);
            IntVector lh = al.mul(M0_HI);
            IntVector hl = ah.mul(M0_LO);
            IntVector mid = ll.lanewise(VectorOperators.LSHR, 16).add(lh.and(0xFFFF)).add(hl.and(0xFFFF));
            IntVector hi0 = ah.mul(M0_HI).add(lh.lanewise(VectorOperators.LSHR, 16))
                    .add(hl.lanewise(VectorOperators.LSHR, 16)).add(mid.lanewise(VectorOperators.LSHR, 16));
            IntVector bl = c2.and(0xFFFF);
            IntVector bh = c2.lanewise(VectorOperators.LSHR, 16);
            IntVector bll = bl.mul(M1_LO);
            IntVector blh = bl.mul(M1_HI);
            IntVector bhl = bh.mul(M1_LO);
            IntVector bmid = bll.lanewise(VectorOperators.LSHR, 16).add(blh.and(0xFFFF)).add(bhl.and(0xFFFF));
            IntVector hi1 = bh.mul(M1_HI).add(blh.lanewise(VectorOperators.LSHR, 16))
                    .add(bhl.lanewise(VectorOperators.LSHR, 16)).add(bmid.lanewise(VectorOperators.LSHR, 16));
            IntVector lo0 = c0.mul(M0);
            IntVector lo1 = c2.mul(M1);
            hi1.lanewise(VectorOperators.XOR, IntVector.fromArray(IS, w1, g)).lanewise(VectorOperators.XOR, k0)
                    .intoArray(w0, g);
            hi0.lanewise(VectorOperators.XOR, IntVector.fromArray(IS, w3, g)).lanewise(VectorOperators.XOR, k1)
                    .intoArray(w2, g);
            lo1.intoArray(w1, g);
            lo0.intoArray(w3, g);
        }
    }

    /**
     * The integer half of Philox.normalPair(a[i], b[i]) for i in [0, count), written to pair
     * {@code at + i}, as floats (all exact): the mantissa m in [1, 2) and exponent e of
     * u = ((a >>> 8) + 1) * 2^-24, the angle inside the quadrant, and the quadrant.
     */
    private static void pairPrep(int[] a, int[] b, int at, int count, Scratch s) {
        for (int i = 0; i < count; i += L) {
            IntVector av = IntVector.fromArray(IS, a, i);
            IntVector bv = IntVector.fromArray(IS, b, i);
            FloatVector u = ((FloatVector) av.lanewise(VectorOperators.LSHR, 8).add(1)
                    .convert(VectorOperators.I2F, 0)).mul(TWO_POW_MINUS_24);
            IntVector bits = (IntVector) u.reinterpretAsInts();
            ((FloatVector) bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).sub(127)
                    .convert(VectorOperators.I2F, 0)).intoArray(s.expo, at + i);
            ((FloatVector) bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats()).intoArray(s.mant, at + i);
            ((FloatVector) bv.lanewise(VectorOperators.LSHR, 6).and(0xFFFFFF).convert(VectorOperators.I2F, 0))
                    .mul(TWO_POW_MINUS_24).mul(HALF_PI).intoArray(s.angle, at + i);
            ((FloatVector) bv.lanewise(VectorOperators.LSHR, 30).convert(VectorOperators.I2F, 0)).intoArray(s.quad, at + i);
        }
    }

    /**
     * rc[q], rs[q] = the two normals of Philox.normalPair for pair q in [0, pairs), from
     * {@link #pairPrep}'s values; {@code pairs} is a multiple of {@link #L}. One loop body, no
     * helpers (see the class comment on vectors crossing calls).
     */
    private static void boxMuller(float[] mant, float[] expo, float[] angle, float[] quad, float[] rc, float[] rs,
                                  int pairs) {
        for (int q = 0; q < pairs; q += L) {
            // Philox.log(u) from m and e: m > sqrt 2 is halved and e incremented (exact).
            FloatVector m = FloatVector.fromArray(FS, mant, q);
            FloatVector e = FloatVector.fromArray(FS, expo, q);
            VectorMask<Float> big = m.compare(VectorOperators.GT, 1.41421356f);
            m = m.blend(m.mul(0.5f), big);
            e = e.blend(e.add(1f), big);
            FloatVector f = m.sub(1f).div(m.add(1f));
            FloatVector f2 = f.mul(f);
            FloatVector p = f2.fma(0.11111111f, 0.14285714f);
            p = p.fma(f2, FloatVector.broadcast(FS, 0.2f));
            p = p.fma(f2, FloatVector.broadcast(FS, 0.33333334f));
            p = p.fma(f2, FloatVector.broadcast(FS, 1f));
            FloatVector logm = f.mul(2f).mul(p);
            FloatVector log = e.fma(FloatVector.broadcast(FS, LN2_HI), e.fma(FloatVector.broadcast(FS, LN2_LO), logm));
            FloatVector radius = log.mul(-2f).sqrt();
            FloatVector x = FloatVector.fromArray(FS, angle, q);
            FloatVector quadrant = FloatVector.fromArray(FS, quad, q);
            FloatVector x2 = x.mul(x);
            FloatVector sp = x2.fma(1.6059044e-10f, -2.5052108e-8f);
            sp = sp.fma(x2, FloatVector.broadcast(FS, 2.7557319e-6f));
            sp = sp.fma(x2, FloatVector.broadcast(FS, -1.9841270e-4f));
            sp = sp.fma(x2, FloatVector.broadcast(FS, 8.3333333e-3f));
            sp = sp.fma(x2, FloatVector.broadcast(FS, -1.6666667e-1f));
            FloatVector sin = x.mul(x2).fma(sp, x);
            FloatVector cp = x2.fma(-1.1470746e-11f, 2.0876757e-9f);
            cp = cp.fma(x2, FloatVector.broadcast(FS, -2.7557319e-7f));
            cp = cp.fma(x2, FloatVector.broadcast(FS, 2.4801587e-5f));
            cp = cp.fma(x2, FloatVector.broadcast(FS, -1.3888889e-3f));
            cp = cp.fma(x2, FloatVector.broadcast(FS, 4.1666667e-2f));
            cp = cp.fma(x2, FloatVector.broadcast(FS, -0.5f));
            FloatVector cos = cp.fma(x2, FloatVector.broadcast(FS, 1f));
            // Quadrants 1 and 3 swap sin and cos; cos is negated in 1 and 2, sin in 2 and 3.
            VectorMask<Float> q1 = quadrant.compare(VectorOperators.EQ, 1f);
            VectorMask<Float> q2 = quadrant.compare(VectorOperators.EQ, 2f);
            VectorMask<Float> q3 = quadrant.compare(VectorOperators.EQ, 3f);
            VectorMask<Float> odd = q1.or(q3);
            VectorMask<Float> negCos = q1.or(q2);
            VectorMask<Float> negSin = q2.or(q3);
            FloatVector cq = cos.blend(sin, odd);
            FloatVector sq = sin.blend(cos, odd);
            cq = cq.blend(cq.neg(), negCos);
            sq = sq.blend(sq.neg(), negSin);
            radius.mul(cq).intoArray(rc, q);
            radius.mul(sq).intoArray(rs, q);
        }
    }
}
