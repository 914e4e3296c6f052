package ebm4j.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Philox;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vectorised kernels against the scalar arithmetic they replace, bit for bit, over ranges that
 * start and end off vector and chunk boundaries (so tails and partial chunks are exercised).
 */
class CpuVectorKernelsTest {

    private static ByteBuffer direct(float[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(0, values);
        return b;
    }

    private static float[] read(ByteBuffer b, int n) {
        float[] out = new float[n];
        b.asFloatBuffer().get(0, out);
        return out;
    }

    private static void assertBits(String what, float expected, float actual) {
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual),
                () -> what + ": expected " + expected + " got " + actual);
    }

    /** ELU from the scalar expm1, the arithmetic the vector lanes and the CUDA twin repeat. */
    private static float referenceElu(float x) {
        float v = x > 0f ? x : ElementwiseKernels.expm1(x);
        return Math.abs(v) < ElementwiseKernels.FLUSH_BELOW ? 0f : v;
    }

    /** Inputs spread over every exponent of the negative side plus the awkward values. */
    private static float[] eluInputs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        float[] special = {0f, -0f, -1e-3f, Math.nextUp(-1e-3f), Math.nextDown(-1e-3f), -40f, -40.5f, -1e30f,
            Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, -Float.MIN_VALUE, -1e-29f, -1e-31f,
            1e-31f, 3e38f, -0.34657359f, -0.6931472f, -17.4f, -88.7f, -104f};
        for (int i = 0; i < n; i++) {
            if (i < special.length) {
                x[i] = special[i];
            } else if (r.nextInt(4) == 0) {
                x[i] = (float) r.nextGaussian();
            } else {
                // a random negative float with |x| below 200: random bits, exponent up to 2^7
                x[i] = -Float.intBitsToFloat(r.nextInt(0x43480000));
            }
        }
        return x;
    }

    @Test
    void biasEluLanesMatchTheScalarExpm1BitForBit() {
        for (int cols : new int[] {1, 3, 4, 7, 8, 13, 64, 300, 513}) {
            int rows = 9;
            float[] x = eluInputs(rows * cols, cols);
            float[] bias = new float[cols];
            SplittableRandom r = new SplittableRandom(cols + 1);
            for (int j = 0; j < cols; j++) {
                bias[j] = r.nextInt(3) == 0 ? 0f : (float) (0.01 * r.nextGaussian());
            }
            ByteBuffer out = direct(x);
            ByteBuffer b = direct(bias);
            // rows [2, 7) only; the others must stay untouched.
            ElementwiseKernels.biasElu(out.asFloatBuffer(), 0, b.asFloatBuffer(), 0, cols, 2, 7, new float[2 * cols]);
            float[] got = read(out, rows * cols);
            for (int i = 0; i < rows * cols; i++) {
                int row = i / cols;
                float expected = row >= 2 && row < 7 ? referenceElu(x[i] + bias[i % cols]) : x[i];
                assertBits("cols " + cols + " element " + i + " x=" + x[i], expected, got[i]);
            }
        }
    }

    /**
     * Every 97th float in [-20, 0) (11 million, all exponents) against the correctly rounded
     * expm1: at most 1 ulp apart (the whole range, checked once, has the same bound and 99.7 %
     * correctly rounded). Below -20 the result is exactly -1; -0, NaN and -infinity behave.
     */
    @Test
    void scalarExpm1IsWithinAnUlpOfTheCorrectlyRoundedValue() {
        int exact = 0;
        int checked = 0;
        for (int bits = 0x80000001; Integer.compareUnsigned(bits, 0xC1A00000) < 0; bits += 97) {
            float x = Float.intBitsToFloat(bits);
            float rounded = (float) Math.expm1((double) x);
            float got = ElementwiseKernels.expm1(x);
            int ulps = Math.abs(Float.floatToRawIntBits(got) - Float.floatToRawIntBits(rounded));
            if (ulps > 1) {
                throw new AssertionError("expm1(" + x + ") = " + got + ", correctly rounded " + rounded);
            }
            exact += ulps == 0 ? 1 : 0;
            checked++;
        }
        assertTrue(exact > 0.99 * checked, exact + " of " + checked + " correctly rounded");
        for (float x : new float[] {-20.5f, -88f, -1e30f, Float.NEGATIVE_INFINITY}) {
            assertBits("expm1(" + x + ")", -1f, ElementwiseKernels.expm1(x));
        }
        assertBits("expm1(-0)", 0f, Math.abs(ElementwiseKernels.expm1(-0f)));
        assertTrue(Float.isNaN(ElementwiseKernels.expm1(Float.NaN)));
    }

    @Test
    void eluBackwardMatchesTheScalarRule() {
        int n = 1000;
        SplittableRandom r = new SplittableRandom(9);
        float[] g = new float[n];
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) r.nextGaussian();
            o[i] = i % 97 == 0 ? Float.NaN : (float) (2 * r.nextDouble() - 1.2);
        }
        g[5] = Float.NaN;
        ByteBuffer gb = direct(g);
        ByteBuffer ob = direct(o);
        // 64-float chunks: several chunks and a partial last one
        ElementwiseKernels.eluBackward(gb.asFloatBuffer(), 0, ob.asFloatBuffer(), 0, 3, 989, new float[64], new float[64]);
        float[] got = read(gb, n);
        for (int i = 0; i < n; i++) {
            float expected = i >= 3 && i < 989 && !(o[i] > 0f) ? g[i] * (o[i] + 1f) : g[i];
            assertBits("element " + i, expected, got[i]);
        }
    }

    @Test
    void adamMatchesTheDocumentedFloatExpressionOverAnyRange() {
        int n = 3 * 40 + 13;  // chunks of 40 (a work array of 160) and a partial one, vector tails
        SplittableRandom r = new SplittableRandom(21);
        float[] p0 = new float[n], g = new float[n], m0 = new float[n], v0 = new float[n];
        for (int i = 0; i < n; i++) {
            p0[i] = (float) r.nextGaussian();
            g[i] = (float) (1e-3 * r.nextGaussian());
            m0[i] = (float) (1e-3 * r.nextGaussian());
            v0[i] = (float) (1e-6 * r.nextDouble());
        }
        ebm4j.compute.AdamSpec spec = new ebm4j.compute.AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0, 0);
        long t = 7;
        float bc1 = (float) (1.0 - Math.pow(0.9f, t)), bc2 = (float) (1.0 - Math.pow(0.999f, t));
        float lr = spec.lrAt(t);
        FloatBuffer p = direct(p0).asFloatBuffer(), gb = direct(g).asFloatBuffer();
        FloatBuffer m = direct(m0).asFloatBuffer(), v = direct(v0).asFloatBuffer();
        new AdamKernel(spec, t).step(p, 0, gb, 0, m, 0, v, 0, 2, n - 1, new float[160]);
        for (int i = 0; i < n; i++) {
            float mi = m0[i], vi = v0[i], pi = p0[i];
            if (i >= 2 && i < n - 1) {
                mi = 0.9f * m0[i] + (1f - 0.9f) * g[i];
                vi = 0.999f * v0[i] + (1f - 0.999f) * (g[i] * g[i]);
                pi = p0[i] - lr * (mi / bc1) / ((float) Math.sqrt(vi / bc2) + 1e-8f);
            }
            assertBits("m " + i, mi, m.get(i));
            assertBits("v " + i, vi, v.get(i));
            assertBits("p " + i, pi, p.get(i));
        }
    }

    @Test
    void uniformIsPhiloxsUniformStreamOverAnyRange() {
        long seed = 0xFEDC_BA98_7654_3210L;
        long step = (1L << 32) + 5;  // a carry into the high step word
        int stream = 7;
        int n = 2 * PhiloxKernels.CHUNK + 4 * PhiloxKernels.L + 3;
        float[] expected = new float[n];
        Philox.uniforms(seed, step, stream, 0, expected, n, -2f, 3f);
        PhiloxKernels.Key key = PhiloxKernels.Key.of(seed, (int) step, (int) (step >>> 32), stream);
        int[][] ranges = {{0, n}, {1, n - 2}, {PhiloxKernels.CHUNK - 3, PhiloxKernels.CHUNK + 5}, {9, 10}};
        for (int[] range : ranges) {
            float[] before = new float[n];
            java.util.Arrays.fill(before, 42f);
            FloatBuffer x = direct(before).asFloatBuffer();
            PhiloxKernels.uniform(x, 0, range[0], range[1], -2f, 3f, key, new Scratch());
            for (int i = 0; i < n; i++) {
                float want = i >= range[0] && i < range[1] ? expected[i] : 42f;
                assertBits("uniform [" + range[0] + "," + range[1] + ") element " + i, want, x.get(i));
            }
        }
    }

    @Test
    void langevinAndAddNoiseUsePhiloxNormalsOverAnyRange() {
        long seed = 0x1234_5678_9ABCL;
        long step = 77;
        int stream = 3;
        int n = 3 * PhiloxKernels.CHUNK + 37;
        float[] z = new float[n];
        Philox.normals(seed, step, stream, 0, z, n);
        SplittableRandom r = new SplittableRandom(11);
        float[] x0 = new float[n];
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            x0[i] = (float) r.nextGaussian();
            g[i] = (float) (3 * r.nextGaussian());
        }
        PhiloxKernels.Key key = PhiloxKernels.Key.of(seed, (int) step, (int) (step >>> 32), stream);
        int[][] ranges = {{0, n}, {5, n - 3}, {PhiloxKernels.CHUNK - 1, 2 * PhiloxKernels.CHUNK + 1}, {6, 7}};
        for (int[] range : ranges) {
            for (float clip : new float[] {0f, 1f}) {
                FloatBuffer x = direct(x0).asFloatBuffer();
                FloatBuffer gr = direct(g).asFloatBuffer();
                PhiloxKernels.langevin(x, 0, gr, 0, range[0], range[1], 0.1f, 0.01f, clip, key, new Scratch());
                for (int i = 0; i < n; i++) {
                    float expected = x0[i];
                    if (i >= range[0] && i < range[1]) {
                        float gi = clip > 0f ? Math.max(-clip, Math.min(clip, g[i])) : g[i];
                        float t = x0[i] - 0.1f * gi;
                        expected = t + 0.01f * z[i];
                    }
                    assertBits("langevin [" + range[0] + "," + range[1] + ") element " + i, expected, x.get(i));
                }
            }
            FloatBuffer x = direct(x0).asFloatBuffer();
            PhiloxKernels.addNoise(x, 0, range[0], range[1], 0.3f, key, new Scratch());
            for (int i = 0; i < n; i++) {
                float expected = i >= range[0] && i < range[1] ? x0[i] + 0.3f * z[i] : x0[i];
                assertBits("addNoise element " + i, expected, x.get(i));
            }
        }
    }
}
