package ebm4j.compute.cpu;

import java.nio.FloatBuffer;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The elementwise kernels of the CPU backend, each over an index range {@code [from, to)} so the
 * backend can hand ranges to its workers. Buffers are given as (data, base): element i is
 * {@code data.get(base + i)}. The float expressions are written in the exact order the CUDA twins
 * evaluate them (no fused multiply-add), so the two backends can agree bit for bit where the
 * maths allows.
 */
final class ElementwiseKernels {
    /**
     * Results smaller than this in magnitude are flushed to zero. Java cannot switch the CPU to
     * flush-to-zero mode, and subnormal inputs slow OpenBLAS's SGEMM down 20-150x
     * (shared/CPU-GEMM.md); ELU's exp(x)-1 tends to -1 and x itself can be tiny, so without the
     * flush a few subnormal activations would throttle the next layer's product. 1e-30 is far
     * below anything that changes a float sum of O(1) terms.
     */
    static final float FLUSH_BELOW = 1e-30f;

    private ElementwiseKernels() {}

    static float flush(float v) {
        return Math.abs(v) < FLUSH_BELOW ? 0f : v;
    }

    /** x[i] = value. */
    static void fill(FloatBuffer x, int xb, int from, int to, float value) {
        for (int i = from; i < to; i++) {
            x.put(xb + i, value);
        }
    }

    /**
     * out:(rows,cols) = flush(elu(out + bias)) for rows [from, to); bias:(cols). Each row is copied
     * into {@code work} (2 * cols floats: the row, then the bias) and back in bulk: indexed gets and
     * puts on a direct buffer cost a few ns per float, and the Vector API reads a Java array about
     * twice as fast as a direct buffer on this JDK. The sums are widened into {@code wide} (3 * cols
     * doubles: the row, then scratch) by a scalar loop: a 128-bit float species for a vector conversion would put a
     * second float vector class into the Vector API's shared call sites, and on JDK 17 that
     * profile pollution made C2 fall back to allocating Java code in the other float kernels
     * (the GEMM ran at a few GFLOP/s).
     *
     * <p>Branch-free ({@link #DL} lanes at a time): the signs of the pre-activations are random, so
     * a branch on them mispredicts half the time. Each lane computes in double what the scalar
     * {@link #expm1} computes, operation for operation (range reduction, the polynomial, 2^k from
     * the exponent bits, the series near 0, the selects), so results are bit-identical to it. The
     * method is one loop body with no vector crossing a call (C2 boxes vectors that cross a call it
     * did not inline, which is slower than scalar code). ~2.6 ns per element on this 2-core EPYC
     * (thread CPU time) against ~5.5 ns for the previous mixed scalar/vector version.
     */
    static void biasElu(FloatBuffer out, int ob, FloatBuffer bias, int bb, int cols, int from, int to, float[] work,
                        double[] wide) {
        bias.get(bb, work, cols, cols);
        int vecCols = cols - cols % DL;
        for (int r = from; r < to; r++) {
            int at = ob + r * cols;
            out.get(at, work, 0, cols);
            for (int j = 0; j < cols; j++) {
                wide[j] = work[j] + work[cols + j];   // the float sum, widened exactly
            }
            expm1Lanes(wide, vecCols, cols);
            for (int j = vecCols; j < cols; j++) {
                float x = (float) wide[j];
                wide[j] = x > 0f ? x : expm1(x);
            }
            for (int j = 0; j < cols; j++) {
                float x = work[j] + work[cols + j];
                // x in (-1e-3, -0] takes the near-zero series (expm1's other branch): one unsigned
                // compare of the magnitude bits, false for +0 (the series and the vector path both
                // give 0 there) and for positive x, so the branch is predictable
                boolean nearZero = Integer.compareUnsigned(Float.floatToRawIntBits(x) - 0x80000000, NEAR_ZERO_BITS) <= 0;
                work[j] = flush(nearZero ? expm1(x) : (float) wide[j]);
            }
            out.put(at, work, 0, cols);
        }
    }

    /**
     * wide[j] = elu(wide[j]) for j in [0, n), n a multiple of {@link #DL}, except the flush and
     * the near-zero series: the vector part of {@link #biasElu}, in three passes over {@code wide}
     * (x in [0, n), scratch at [stride, stride + n) and [2 stride, 2 stride + n), stride >= n). Each pass is a small method: C2 gives up
     * intrinsifying Vector API calls once a method's graph passes its inlining node budget (each
     * vector operation inlines a chain of calls), and then boxes every vector; one method for
     * the whole expm1 did that in some runs and not others.
     */
    private static void expm1Lanes(double[] wide, int n, int stride) {
        reduce(wide, n, stride);
        polynomial(wide, n, stride);
        finish(wide, n, stride);
    }

    /** t = x/ln2 + 1.5*2^52 (k in its low bits) at stride + j, r = x - k*ln2 (two parts) at 2 stride + j. */
    private static void reduce(double[] w, int n, int stride) {
        for (int j = 0; j < n; j += DL) {
            DoubleVector x = DoubleVector.fromArray(DS, w, j);
            DoubleVector t = x.fma(INV_LN2, SHIFT);
            DoubleVector k = t.sub(SHIFT);
            DoubleVector r = k.fma(DoubleVector.broadcast(DS, -LN2_HI), x);
            t.intoArray(w, stride + j);
            k.fma(DoubleVector.broadcast(DS, -LN2_LO), r).intoArray(w, 2 * stride + j);
        }
    }

    /** e^r by the degree-13 Taylor polynomial, in place at 2 stride + j. */
    private static void polynomial(double[] w, int n, int stride) {
        for (int j = 2 * stride; j < 2 * stride + n; j += DL) {
            DoubleVector r = DoubleVector.fromArray(DS, w, j);
            DoubleVector p = r.fma(F13, F12);
            p = p.fma(r, DoubleVector.broadcast(DS, F11));
            p = p.fma(r, DoubleVector.broadcast(DS, F10));
            p = p.fma(r, DoubleVector.broadcast(DS, F9));
            p = p.fma(r, DoubleVector.broadcast(DS, F8));
            p = p.fma(r, DoubleVector.broadcast(DS, F7));
            p = p.fma(r, DoubleVector.broadcast(DS, F6));
            p = p.fma(r, DoubleVector.broadcast(DS, F5));
            p = p.fma(r, DoubleVector.broadcast(DS, F4));
            p = p.fma(r, DoubleVector.broadcast(DS, F3));
            p = p.fma(r, DoubleVector.broadcast(DS, F2));
            p = p.fma(r, DoubleVector.broadcast(DS, 1.0));
            p.fma(r, DoubleVector.broadcast(DS, 1.0)).intoArray(w, j);
        }
    }

    /**
     * x = e^r * 2^k - 1, with 2^k from the exponent bits of t, for lanes in [-40, 0]; -1 below
     * -40, x itself above 0 (so no clamp was needed before: those lanes' values are dropped).
     */
    private static void finish(double[] w, int n, int stride) {
        DoubleVector zero = DoubleVector.zero(DS);
        DoubleVector minusOne = DoubleVector.broadcast(DS, -1.0);
        for (int j = 0; j < n; j += DL) {
            DoubleVector x = DoubleVector.fromArray(DS, w, j);
            DoubleVector scale = DoubleVector.fromArray(DS, w, stride + j).reinterpretAsLongs().sub(SHIFT_BITS - 1023)
                    .lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector em1 = DoubleVector.fromArray(DS, w, 2 * stride + j).mul(scale).sub(1.0);
            em1.blend(minusOne, x.compare(VectorOperators.LT, CLAMP_BELOW))
                    .blend(x, x.compare(VectorOperators.GT, zero)).intoArray(w, j);
        }
    }

    /*
     * expm1 for ELU's negative side, to float accuracy, and the bits the CUDA twin computes
     * (kernels/bias_elu.cu: a 4-term series in double above -1e-3, else exp(x) - 1 in double,
     * rounded once to float), without Math.exp (an opaque call that C2 cannot vectorise or
     * schedule around; it was ~2/3 of the old per-element cost): x = k ln2 + r with |r| <= ln2/2
     * (Cody-Waite split of ln2, fused multiply-adds), a degree-13 Taylor polynomial for e^r
     * (truncation ~4e-18 relative), times 2^k built from the exponent bits. It is within 1 ulp of
     * Math.exp, and over every float x in [-200, 0] the rounded results equal those computed with
     * Math.exp bit for bit (checked exhaustively). Below -40 every result is -1f (e^-40 is far under
     * half an ulp of 1 in double), so inputs are clamped there and 2^k never leaves the normal range.
     */

    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** Lanes per double vector. */
    static final int DL = DS.length();
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int FL = FS.length();

    private static final double SERIES_ABOVE = -1e-3;
    /** Bits of the largest float below 1e-3: a float x <= 0 has x > -1e-3 iff |x| has at most these bits. */
    private static final int NEAR_ZERO_BITS = Float.floatToRawIntBits(
            (double) (float) 1e-3 < 1e-3 ? (float) 1e-3 : Math.nextDown((float) 1e-3));
    private static final double CLAMP_BELOW = -40.0;
    private static final double INV_LN2 = 1.4426950408889634;
    private static final double LN2_HI = 6.93147180369123816490e-01; // trailing bits zero: k * LN2_HI is exact
    private static final double LN2_LO = 1.90821492927058770002e-10;
    /** 1.5 * 2^52: adding it rounds to an integer, which then sits in the low mantissa bits. */
    private static final double SHIFT = 0x1.8p52;
    private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    // 1/i!, the Taylor coefficients of e^r (1/0! = 1/1! = 1 are written inline); i! is exact in double.
    private static final double F2 = 1.0 / 2;
    private static final double F3 = 1.0 / 6;
    private static final double F4 = 1.0 / 24;
    private static final double F5 = 1.0 / 120;
    private static final double F6 = 1.0 / 720;
    private static final double F7 = 1.0 / 5040;
    private static final double F8 = 1.0 / 40320;
    private static final double F9 = 1.0 / 362880;
    private static final double F10 = 1.0 / 3628800;
    private static final double F11 = 1.0 / 39916800;
    private static final double F12 = 1.0 / 479001600;
    private static final double F13 = 1.0 / 6227020800L;

    /** exp(x) - 1 for x <= 0, rounded once to float (see above); the scalar form of biasElu's lanes. */
    static float expm1(float x) {
        double d = Math.min(Math.max(x, CLAMP_BELOW), 0.0);
        if (d > SERIES_ABOVE) {
            return (float) (d * (1.0 + d * (0.5 + d * (1.0 / 6 + d * (1.0 / 24)))));
        }
        return (float) (exp(d) - 1.0);
    }

    /** e^d for d in [-40, 0]. */
    private static double exp(double d) {
        double t = Math.fma(d, INV_LN2, SHIFT);
        double k = t - SHIFT;
        long kBits = Double.doubleToRawLongBits(t) - SHIFT_BITS;
        double r = Math.fma(k, -LN2_HI, d);
        r = Math.fma(k, -LN2_LO, r);
        double p = Math.fma(r, F13, F12);
        p = Math.fma(p, r, F11);
        p = Math.fma(p, r, F10);
        p = Math.fma(p, r, F9);
        p = Math.fma(p, r, F8);
        p = Math.fma(p, r, F7);
        p = Math.fma(p, r, F6);
        p = Math.fma(p, r, F5);
        p = Math.fma(p, r, F4);
        p = Math.fma(p, r, F3);
        p = Math.fma(p, r, F2);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        return p * Double.longBitsToDouble((kBits + 1023) << 52);
    }

    /** out:(rows,cols) += bias:(cols) for rows [from, to). */
    static void addBias(FloatBuffer out, int ob, FloatBuffer bias, int bb, int cols, int from, int to) {
        for (int r = from; r < to; r++) {
            int row = ob + r * cols;
            for (int j = 0; j < cols; j++) {
                out.put(row + j, out.get(row + j) + bias.get(bb + j));
            }
        }
    }

    /**
     * grad[i] *= (out[i] > 0 ? 1 : out[i] + 1): ELU's derivative from its output. Where out > 0
     * grad is kept as it is (not multiplied by 1), exactly as the scalar form and the CUDA twin.
     * Runs over {@code gs.length}-float chunks copied into the two scratch arrays.
     */
    static void eluBackward(FloatBuffer grad, int gb, FloatBuffer out, int ob, int from, int to, float[] gs, float[] os) {
        for (int start = from; start < to; start += gs.length) {
            int n = Math.min(gs.length, to - start);
            grad.get(gb + start, gs, 0, n);
            out.get(ob + start, os, 0, n);
            int i = 0;
            for (int end = n - FL; i <= end; i += FL) {
                FloatVector o = FloatVector.fromArray(FS, os, i);
                FloatVector g = FloatVector.fromArray(FS, gs, i);
                g.mul(o.add(1f)).blend(g, o.compare(VectorOperators.GT, 0f)).intoArray(gs, i);
            }
            for (; i < n; i++) {
                float o = os[i];
                if (!(o > 0f)) {
                    gs[i] = gs[i] * (o + 1f);
                }
            }
            grad.put(gb + start, gs, 0, n);
        }
    }

    /** x[i] = min(max(x[i], lo), hi); NaN stays NaN, so a diverged chain stays visible. */
    static void clamp(FloatBuffer x, int xb, float lo, float hi, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x.get(xb + i);
            if (v < lo) {
                x.put(xb + i, lo);
            } else if (v > hi) {
                x.put(xb + i, hi);
            }
        }
    }

    /**
     * out[j] = (in[0][j] + in[1][j] + ... + in[rows-1][j]) + beta*out[j] for columns [from, to),
     * the sum in float starting from 0, rows in order (beta == 0 overwrites out). {@code acc} holds
     * at least to-from floats. Rows are streamed whole so memory is read sequentially.
     */
    static void columnSums(FloatBuffer out, int ob, FloatBuffer in, int ib, int rows, int cols, float beta,
                           int from, int to, float[] acc) {
        int width = to - from;
        for (int j = 0; j < width; j++) {
            acc[j] = 0f;
        }
        for (int r = 0; r < rows; r++) {
            int row = ib + r * cols + from;
            for (int j = 0; j < width; j++) {
                acc[j] += in.get(row + j);
            }
        }
        for (int j = 0; j < width; j++) {
            int o = ob + from + j;
            out.put(o, beta == 0f ? acc[j] : acc[j] + beta * out.get(o));
        }
    }
}
