package ebm4j.compute.cpu;

import java.nio.FloatBuffer;

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

    /** out:(rows,cols) = flush(elu(out + bias)) for rows [from, to); bias:(cols). */
    static void biasElu(FloatBuffer out, int ob, FloatBuffer bias, int bb, int cols, int from, int to) {
        for (int r = from; r < to; r++) {
            int row = ob + r * cols;
            for (int j = 0; j < cols; j++) {
                float x = out.get(row + j) + bias.get(bb + j);
                out.put(row + j, flush(x > 0f ? x : expm1(x)));
            }
        }
    }

    /**
     * exp(x) - 1 for x <= 0 to float accuracy, about 3x faster than Math.expm1 (measured 12 vs 33 ns
     * on this machine's JDK 17, and biasElu sits on the sampler's critical path). Computed in
     * double and rounded once: exp(x) - 1 loses at most ~2e-16 absolutely, which is below half a
     * float ulp of the result for |x| >= 1e-3; closer to zero a 4-term series (next term
     * x^5/120 < 1e-17 relative) avoids the cancellation. The result is within 1 float ulp of
     * Math.expm1 (and usually equal to it).
     */
    static float expm1(float x) {
        double d = x;
        if (d > -1e-3) {
            return (float) (d * (1.0 + d * (0.5 + d * (1.0 / 6 + d * (1.0 / 24)))));
        }
        return (float) (Math.exp(d) - 1.0);
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

    /** grad[i] *= (out[i] > 0 ? 1 : out[i] + 1): ELU's derivative from its output. */
    static void eluBackward(FloatBuffer grad, int gb, FloatBuffer out, int ob, int from, int to) {
        for (int i = from; i < to; i++) {
            float o = out.get(ob + i);
            if (!(o > 0f)) {
                grad.put(gb + i, grad.get(gb + i) * (o + 1f));
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
