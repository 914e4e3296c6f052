package ebm4j.compute.cpu;

import java.nio.FloatBuffer;
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
     * twice as fast as a direct buffer on this JDK.
     */
    static void biasElu(FloatBuffer out, int ob, FloatBuffer bias, int bb, int cols, int from, int to, float[] work) {
        bias.get(bb, work, cols, cols);
        for (int r = from; r < to; r++) {
            int at = ob + r * cols;
            out.get(at, work, 0, cols);
            biasEluInPlace(work, 0, work, cols, cols);
            out.put(at, work, 0, cols);
        }
    }

    /**
     * v[vo + j] = flush(elu(v[vo + j] + bias[bo + j])) for j in [0, len): one row of
     * {@link #biasElu}, also applied by the fused layer product ({@link PackedGemm.Epilogue}) to
     * rows still in its output panels.
     *
     * <p>Branch-free, {@link #FL} lanes at a time (the signs of the pre-activations are random, so a
     * branch on them mispredicts half the time): each lane computes {@link #expm1} operation for
     * operation, so the vector and scalar forms agree bit for bit, and so does the CUDA twin. The
     * whole loop body is one method with no vector crossing a call (C2 boxes vectors that cross a
     * call it did not inline).
     */
    static void biasEluInPlace(float[] v, int vo, float[] bias, int bo, int len) {
        int vecLen = len - len % FL;
        // the polynomial's constants, broadcast once per call rather than per vector
        FloatVector zero = FloatVector.zero(FS);
        FloatVector negLn2Hi = FloatVector.broadcast(FS, -LN2_HI), negLn2Lo = FloatVector.broadcast(FS, -LN2_LO);
        FloatVector c7 = FloatVector.broadcast(FS, C7), c6 = FloatVector.broadcast(FS, C6);
        FloatVector c5 = FloatVector.broadcast(FS, C5), c4 = FloatVector.broadcast(FS, C4);
        FloatVector c3 = FloatVector.broadcast(FS, C3), c2 = FloatVector.broadcast(FS, C2);
        for (int j = 0; j < vecLen; j += FL) {
            FloatVector x = FloatVector.fromArray(FS, v, vo + j).add(FloatVector.fromArray(FS, bias, bo + j));
            FloatVector c = x.blend(CLAMP_BELOW, x.compare(VectorOperators.LT, CLAMP_BELOW)); // NaN stays
            FloatVector t = c.fma(INV_LN2, SHIFT);
            FloatVector k = t.sub(SHIFT);
            FloatVector red = k.fma(negLn2Hi, c);
            red = k.fma(negLn2Lo, red);
            FloatVector h = red.fma(C9, C8);
            h = h.fma(red, c7);
            h = h.fma(red, c6);
            h = h.fma(red, c5);
            h = h.fma(red, c4);
            h = h.fma(red, c3);
            h = h.fma(red, c2);
            FloatVector p = h.mul(red).fma(red, red);
            FloatVector scale = t.reinterpretAsInts().sub(SHIFT_BITS - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector elu = scale.fma(p, scale.sub(1f)).blend(x, x.compare(VectorOperators.GT, zero));
            elu.blend(zero, elu.abs().compare(VectorOperators.LT, FLUSH_BELOW)).intoArray(v, vo + j);
        }
        for (int j = vecLen; j < len; j++) {
            float x = v[vo + j] + bias[bo + j];
            v[vo + j] = flush(x > 0f ? x : expm1(x));
        }
    }

    /*
     * expm1 for ELU's negative side, in float, from fused multiply-adds and exact operations only,
     * so the Java kernels (scalar and vector) and the CUDA twin (kernels/bias_elu.cu, fmaf) give
     * the same bits on any IEEE machine, with no library exp whose last bit varies by platform:
     * x = k ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2), expm1(r) = r + r^2 h(r) with h the
     * degree-7 Taylor polynomial of (e^r - 1 - r)/r^2 (truncation below 2^-30 relative), then
     * expm1(x) = 2^k expm1(r) + (2^k - 1) in one fma, 2^k built from the exponent bits. Checked
     * over every float in [-20, 0): at most 1 ulp from the correctly rounded expm1, and correctly
     * rounded for 99.7 % of inputs. k = 0 for x > -ln2/2, so small x keep full relative accuracy
     * without a separate series. Below -20 every result is -1f (e^-20 is under half an ulp of 1),
     * so inputs are clamped there and 2^k stays normal. NaN passes through (x < -20 is false).
     */

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    /** Lanes per float vector. */
    static final int FL = FS.length();

    private static final float CLAMP_BELOW = -20f;
    private static final float INV_LN2 = 1.44269504f;
    private static final float LN2_HI = 0.693145751953125f; // 12 trailing zero bits: k * LN2_HI is exact
    private static final float LN2_LO = 1.428606765330187045e-06f;
    /** 1.5 * 2^23: adding it rounds to an integer, which then sits in the low mantissa bits. */
    private static final float SHIFT = 0x1.8p23f;
    private static final int SHIFT_BITS = Float.floatToRawIntBits(SHIFT);
    // 1/i!, the Taylor coefficients of (e^r - 1 - r)/r^2 = 1/2! + r/3! + ... + r^7/9!, rounded to float.
    private static final float C2 = 1f / 2;
    private static final float C3 = 1f / 6;
    private static final float C4 = 1f / 24;
    private static final float C5 = 1f / 120;
    private static final float C6 = 1f / 720;
    private static final float C7 = 1f / 5040;
    private static final float C8 = 1f / 40320;
    private static final float C9 = 1f / 362880;

    /** exp(x) - 1 for x <= 0 (see above); the scalar form of biasElu's lanes. */
    static float expm1(float x) {
        float c = x < CLAMP_BELOW ? CLAMP_BELOW : x;
        float t = Math.fma(c, INV_LN2, SHIFT);
        float k = t - SHIFT;
        float r = Math.fma(k, -LN2_HI, c);
        r = Math.fma(k, -LN2_LO, r);
        float h = Math.fma(r, C9, C8);
        h = Math.fma(h, r, C7);
        h = Math.fma(h, r, C6);
        h = Math.fma(h, r, C5);
        h = Math.fma(h, r, C4);
        h = Math.fma(h, r, C3);
        h = Math.fma(h, r, C2);
        float p = Math.fma(h * r, r, r);
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(t) - (SHIFT_BITS - 127)) << 23);
        return Math.fma(scale, p, scale - 1f);
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
            eluBackwardInPlace(gs, 0, os, 0, n);
            grad.put(gb + start, gs, 0, n);
        }
    }

    /**
     * g[go + j] *= (o[oo + j] > 0 ? 1 : o[oo + j] + 1) for j in [0, len): {@link #eluBackward} on
     * arrays, also applied by the fused backward product ({@link PackedGemm.Epilogue}).
     */
    static void eluBackwardInPlace(float[] g, int go, float[] o, int oo, int len) {
        int i = 0;
        for (int end = len - FL; i <= end; i += FL) {
            FloatVector ov = FloatVector.fromArray(FS, o, oo + i);
            FloatVector gv = FloatVector.fromArray(FS, g, go + i);
            gv.mul(ov.add(1f)).blend(gv, ov.compare(VectorOperators.GT, 0f)).intoArray(g, go + i);
        }
        for (; i < len; i++) {
            float ov = o[oo + i];
            if (!(ov > 0f)) {
                g[go + i] = g[go + i] * (ov + 1f);
            }
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
