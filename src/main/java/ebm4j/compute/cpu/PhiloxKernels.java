package ebm4j.compute.cpu;

import ebm4j.compute.Philox;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The random kernels. Element i of a buffer takes word i%4 of Philox block i/4, counter
 * (i/4, step lo, step hi, stream), key seed: exactly element i of {@link Philox#uniforms} and
 * {@link Philox#normals} for the same (seed, step, stream), whatever range a part covers.
 *
 * <p>Normals are made a chunk of {@link #CHUNK} elements at a time in the part's {@link Scratch}:
 * the Philox blocks first (scalar: the 32x32->64-bit products have no fast vector form on AVX2)
 * with the integer half of Box-Muller per word pair, then the floating-point half over all pairs
 * with the Vector API.
 * Box-Muller is {@link Philox#normalPair}'s arithmetic lane for lane (IEEE add, multiply, divide,
 * sqrt and fused multiply-add give the same bits in a vector lane as in a scalar; the quadrant
 * switch becomes selects and exact negations), so the normals are bit-identical to
 * {@link Philox#normals}, as the CUDA twin requires. The scalar version cost ~10 ns per normal,
 * most of it the quadrant switch mispredicting on random bits. The buffers are moved in and out
 * with bulk copies, which are much cheaper per float than indexed gets and puts on a direct buffer.
 */
final class PhiloxKernels {
    private PhiloxKernels() {}

    /** Elements per chunk: a multiple of 4 * 2 * vector lanes, small enough to stay in L1. */
    static final int CHUNK = 512;
    /** Box-Muller pairs per chunk (two per Philox block). */
    static final int PAIRS = CHUNK / 2;

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length();

    // Philox4x32-10 constants and the Box-Muller ones, as in ebm4j.compute.Philox.
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
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
            for (int j = 0; j < n; j++) {
                float g = gs[j];
                if (gradClip > 0f) {
                    g = g < -gradClip ? -gradClip : (g > gradClip ? gradClip : g);
                }
                float t = xs[j] - alpha * g;
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
     * end - start <= CHUNK. Whole blocks are generated (up to 3 normals past {@code end}).
     */
    static void normals(Key key, int start, int end, Scratch s) {
        int firstBlock = start >>> 2;
        int blocks = (end - start + 3) >>> 2;
        int k0 = key.k0(), k1 = key.k1(), c1In = key.stepLo(), c2In = key.stepHi(), c3In = key.stream();
        for (int i = 0; i < blocks; i++) {
            // Philox4x32-10 exactly as Philox.block, on locals; words (0,1) and (2,3) are the pairs.
            int c0 = firstBlock + i, c1 = c1In, c2 = c2In, c3 = c3In, r0 = k0, r1 = k1;
            for (int round = 0; round < 10; round++) {
                long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
                long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
                c0 = (int) (p1 >>> 32) ^ c1 ^ r0;
                c1 = (int) p1;
                c2 = (int) (p0 >>> 32) ^ c3 ^ r1;
                c3 = (int) p0;
                r0 += W0;
                r1 += W1;
            }
            pairPrep(c0, c1, 2 * i, s);
            pairPrep(c2, c3, 2 * i + 1, s);
        }
        boxMuller(s.mant, s.expo, s.angle, s.quad, s.radiusCos, s.radiusSin, 2 * blocks);
        float[] rc = s.radiusCos;
        float[] rs = s.radiusSin;
        float[] z = s.normals;
        for (int q = 0, pairs = 2 * blocks; q < pairs; q++) {
            z[2 * q] = rc[q];
            z[2 * q + 1] = rs[q];
        }
    }

    /**
     * The integer half of Philox.normalPair(a, b) for pair q, as floats (all exact): the mantissa
     * m in [1, 2) and exponent e of u = ((a >>> 8) + 1) * 2^-24, the angle inside the quadrant,
     * and the quadrant. Done scalar: the Vector API's int/float converts and reinterprets fall back
     * to slow Java code in parts of this program on JDK 17.
     */
    private static void pairPrep(int a, int b, int q, Scratch s) {
        float u = ((a >>> 8) + 1) * TWO_POW_MINUS_24;
        int bits = Float.floatToRawIntBits(u);
        s.expo[q] = ((bits >>> 23) & 0xFF) - 127;
        s.mant[q] = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        s.angle[q] = ((b >>> 6) & 0xFFFFFF) * TWO_POW_MINUS_24 * HALF_PI;
        s.quad[q] = b >>> 30;
    }

    /**
     * rc[q], rs[q] = the two normals of Philox.normalPair for pair q in [0, pairs), from
     * {@link #pairPrep}'s values, rounded up to whole vectors (the arrays hold PAIRS entries; lanes
     * past {@code pairs} compute unused values). One loop body, no helpers: on this JDK a vector
     * that crosses a call C2 does not inline is boxed, which is slower than scalar code.
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
