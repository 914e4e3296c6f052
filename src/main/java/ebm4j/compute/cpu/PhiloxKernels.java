package ebm4j.compute.cpu;

import ebm4j.compute.Philox;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
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
 *       scalar version latency-bound at ~5 ns per element. The four words of a vector of blocks
 *       stay in registers through the ten rounds (one loop body); with each round a separate pass
 *       over scratch arrays, as before, the loads and stores cost about as much again;</li>
 *   <li>for normals, {@link #pairPrep}: the integer half of Box-Muller on each word pair, as
 *       floats (all exact), then {@link #boxMuller}: the floating-point half;</li>
 *   <li>a scalar pass puts the normals back in element order, then the op is applied (in vector
 *       lanes for the Langevin step).</li>
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
    /** 0, 1, ..., L - 1: a vector's lane numbers. */
    private static final int[] LANE_INDEX = IntStream.range(0, L).toArray();
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
            int j = 0;
            for (int lastVector = n - L; j <= lastVector; j += L) {
                FloatVector t = FloatVector.fromArray(FS, xs, j).sub(FloatVector.fromArray(FS, gs, j).mul(alpha));
                t.add(FloatVector.fromArray(FS, z, zo + j).mul(sigma)).intoArray(xs, j);
            }
            for (; j < n; j++) {
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
        boxMuller(s, 2 * nb);
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
     * multiple of {@link #L}: Philox.block with one block per lane. The four words stay in
     * registers through all ten rounds (one loop body, no call inside it: see the class comment),
     * each round's two 32x32-bit products assembled from 16-bit halves: c*M = ch*Mh*2^32 +
     * (ch*Ml + cl*Mh)*2^16 + cl*Ml, each partial product fits 32 unsigned bits, and the carries out
     * of the middle go into the high word. Then the mix: c0 = hi1 ^ c1 ^ k0, c1 = lo1, c2 = hi0 ^
     * c3 ^ k1, c3 = lo0, and the key is bumped.
     */
    static void words(Key key, int firstBlock, int count, Scratch s) {
        int[] w0 = s.w0, w1 = s.w1, w2 = s.w2, w3 = s.w3;
        IntVector lane = IntVector.fromArray(IS, LANE_INDEX, 0);
        IntVector low16 = IntVector.broadcast(IS, 0xFFFF);
        IntVector m0 = IntVector.broadcast(IS, M0), m0Lo = IntVector.broadcast(IS, M0_LO), m0Hi = IntVector.broadcast(IS, M0_HI);
        IntVector m1 = IntVector.broadcast(IS, M1), m1Lo = IntVector.broadcast(IS, M1_LO), m1Hi = IntVector.broadcast(IS, M1_HI);
        IntVector stepLo = IntVector.broadcast(IS, key.stepLo());
        IntVector stepHi = IntVector.broadcast(IS, key.stepHi());
        IntVector stream = IntVector.broadcast(IS, key.stream());
        for (int g = 0; g < count; g += L) {
            IntVector c0 = lane.add(firstBlock + g), c1 = stepLo, c2 = stepHi, c3 = stream; // block numbers
            int k0 = key.k0(), k1 = key.k1();
            for (int r = 0; r < 10; r++) {
                // hi0:lo0 = c0 * M0
                IntVector cl = c0.and(low16);
                IntVector ch = c0.lanewise(VectorOperators.LSHR, 16);
                IntVector ll = cl.mul(m0Lo);
                IntVector lh = cl.mul(m0Hi);
                IntVector hl = ch.mul(m0Lo);
                IntVector mid = ll.lanewise(VectorOperators.LSHR, 16).add(lh.and(low16)).add(hl.and(low16));
                IntVector hi0 = ch.mul(m0Hi).add(lh.lanewise(VectorOperators.LSHR, 16))
                        .add(hl.lanewise(VectorOperators.LSHR, 16)).add(mid.lanewise(VectorOperators.LSHR, 16));
                IntVector lo0 = c0.mul(m0);
                // hi1:lo1 = c2 * M1
                cl = c2.and(low16);
                ch = c2.lanewise(VectorOperators.LSHR, 16);
                ll = cl.mul(m1Lo);
                lh = cl.mul(m1Hi);
                hl = ch.mul(m1Lo);
                mid = ll.lanewise(VectorOperators.LSHR, 16).add(lh.and(low16)).add(hl.and(low16));
                IntVector hi1 = ch.mul(m1Hi).add(lh.lanewise(VectorOperators.LSHR, 16))
                        .add(hl.lanewise(VectorOperators.LSHR, 16)).add(mid.lanewise(VectorOperators.LSHR, 16));
                IntVector lo1 = c2.mul(m1);
                c0 = hi1.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, k0);
                c2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, k1);
                c1 = lo1;
                c3 = lo0;
                k0 += W0;
                k1 += W1;
            }
            c0.intoArray(w0, g);
            c1.intoArray(w1, g);
            c2.intoArray(w2, g);
            c3.intoArray(w3, g);
        }
    }

    /**
     * The integer half of Philox.normalPair(a[i], b[i]) for i in [0, count), written to pair
     * {@code at + i}, as floats (all exact): the mantissa m in [1, 2) and exponent e of
     * u = ((a >>> 8) + 1) * 2^-24, the angle inside the quadrant, and the quadrant.
     */
    private static void pairPrep(int[] a, int[] b, int at, int count, Scratch s) {
        radiusPrep(a, at, count, s.mant, s.expo);
        anglePrep(b, at, count, s.angle, s.quad);
    }

    private static void radiusPrep(int[] a, int at, int count, float[] mant, float[] expo) {
        for (int i = 0; i < count; i += L) {
            FloatVector u = ((FloatVector) IntVector.fromArray(IS, a, i).lanewise(VectorOperators.LSHR, 8).add(1)
                    .convert(VectorOperators.I2F, 0)).mul(TWO_POW_MINUS_24);
            IntVector bits = (IntVector) u.reinterpretAsInts();
            ((FloatVector) bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).sub(127)
                    .convert(VectorOperators.I2F, 0)).intoArray(expo, at + i);
            ((FloatVector) bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats()).intoArray(mant, at + i);
        }
    }

    private static void anglePrep(int[] b, int at, int count, float[] angle, float[] quad) {
        for (int i = 0; i < count; i += L) {
            IntVector bv = IntVector.fromArray(IS, b, i);
            ((FloatVector) bv.lanewise(VectorOperators.LSHR, 6).and(0xFFFFFF).convert(VectorOperators.I2F, 0))
                    .mul(TWO_POW_MINUS_24).mul(HALF_PI).intoArray(angle, at + i);
            ((FloatVector) bv.lanewise(VectorOperators.LSHR, 30).convert(VectorOperators.I2F, 0)).intoArray(quad, at + i);
        }
    }

    /**
     * rc[q], rs[q] = the two normals of Philox.normalPair for pair q in [0, pairs), from
     * {@link #pairPrep}'s values; {@code pairs} is a multiple of {@link #L}. Four passes, each a
     * small method (see the class comment): the radius, sin and cos of the angle, then the
     * quadrant's swap and signs times the radius.
     */
    private static void boxMuller(Scratch s, int pairs) {
        radii(s.mant, s.expo, pairs);
        sines(s.angle, s.radiusSin, pairs);
        cosines(s.angle, s.radiusCos, pairs);
        rotate(s.quad, s.mant, s.radiusCos, s.radiusSin, pairs);
    }

    /** mant[q] = sqrt(-2 * Philox.log(u)) from u's mantissa m and exponent e (m > sqrt 2 halved, e + 1). */
    private static void radii(float[] mant, float[] expo, int pairs) {
        for (int q = 0; q < pairs; q += L) {
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
            log.mul(-2f).sqrt().intoArray(mant, q);
        }
    }

    /** out[q] = Philox.sinQuarter(angle[q]). */
    private static void sines(float[] angle, float[] out, int pairs) {
        for (int q = 0; q < pairs; q += L) {
            FloatVector x = FloatVector.fromArray(FS, angle, q);
            FloatVector x2 = x.mul(x);
            FloatVector sp = x2.fma(1.6059044e-10f, -2.5052108e-8f);
            sp = sp.fma(x2, FloatVector.broadcast(FS, 2.7557319e-6f));
            sp = sp.fma(x2, FloatVector.broadcast(FS, -1.9841270e-4f));
            sp = sp.fma(x2, FloatVector.broadcast(FS, 8.3333333e-3f));
            sp = sp.fma(x2, FloatVector.broadcast(FS, -1.6666667e-1f));
            x.mul(x2).fma(sp, x).intoArray(out, q);
        }
    }

    /** out[q] = Philox.cosQuarter(angle[q]). */
    private static void cosines(float[] angle, float[] out, int pairs) {
        for (int q = 0; q < pairs; q += L) {
            FloatVector x = FloatVector.fromArray(FS, angle, q);
            FloatVector x2 = x.mul(x);
            FloatVector cp = x2.fma(-1.1470746e-11f, 2.0876757e-9f);
            cp = cp.fma(x2, FloatVector.broadcast(FS, -2.7557319e-7f));
            cp = cp.fma(x2, FloatVector.broadcast(FS, 2.4801587e-5f));
            cp = cp.fma(x2, FloatVector.broadcast(FS, -1.3888889e-3f));
            cp = cp.fma(x2, FloatVector.broadcast(FS, 4.1666667e-2f));
            cp = cp.fma(x2, FloatVector.broadcast(FS, -0.5f));
            cp.fma(x2, FloatVector.broadcast(FS, 1f)).intoArray(out, q);
        }
    }

    /**
     * rc[q], rs[q] = radius times cos and sin of the full angle: quadrants 1 and 3 swap sin and
     * cos; cos is negated in 1 and 2, sin in 2 and 3 (exact negations).
     */
    private static void rotate(float[] quad, float[] radius, float[] rc, float[] rs, int pairs) {
        for (int q = 0; q < pairs; q += L) {
            FloatVector quadrant = FloatVector.fromArray(FS, quad, q);
            FloatVector cos = FloatVector.fromArray(FS, rc, q);
            FloatVector sin = FloatVector.fromArray(FS, rs, q);
            VectorMask<Float> q1 = quadrant.compare(VectorOperators.EQ, 1f);
            VectorMask<Float> q2 = quadrant.compare(VectorOperators.EQ, 2f);
            VectorMask<Float> q3 = quadrant.compare(VectorOperators.EQ, 3f);
            VectorMask<Float> odd = q1.or(q3);
            FloatVector cq = cos.blend(sin, odd);
            FloatVector sq = sin.blend(cos, odd);
            cq = cq.blend(cq.neg(), q1.or(q2));
            sq = sq.blend(sq.neg(), q2.or(q3));
            FloatVector r = FloatVector.fromArray(FS, radius, q);
            r.mul(cq).intoArray(rc, q);
            r.mul(sq).intoArray(rs, q);
        }
    }
}
