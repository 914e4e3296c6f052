package ebm4j.compute;

/**
 * Philox4x32-10 (Salmon et al., SC'11) and the two distributions built on it. The CUDA kernels
 * carry a line-for-line twin of this class (kernels/philox.cuh), so the CPU and the GPU draw the
 * same numbers bit for bit:
 * <ul>
 *   <li>block {@code i/4} of a call uses counter {@code (i/4, step lo, step hi, stream)} and key
 *       {@code (seed lo, seed hi)}; element {@code i} takes word {@code i % 4};</li>
 *   <li>uniforms are {@code (word >>> 8) * 2^-24}, exact in float;</li>
 *   <li>normals use Box-Muller on word pairs (0,1) and (2,3), with log and sin/cos evaluated by
 *       our own float polynomials in explicit fused multiply-adds. Library log/sin/cos differ
 *       between Java and CUDA in the last bit; IEEE division, sqrt and fma do not, so this
 *       construction is reproducible everywhere. (Kernels build with -fmad=false so no other
 *       multiply-add gets contracted behind our back.)</li>
 * </ul>
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;
    private static final float LN2_HI = 0.693145751953125f;      // ln 2, upper bits (exact product with small ints)
    private static final float LN2_LO = 1.42860682030941723e-06f; // ln 2 - LN2_HI
    private static final float HALF_PI = 1.57079632679489662f;

    private Philox() {}

    /** Writes the 4 output words of Philox4x32-10 for counter (c0..c3) and key (k0,k1) into out[0..4). */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The 4 words of block {@code blockIndex} of a call (seed, step, stream). */
    public static void block(long seed, long step, int stream, long blockIndex, int[] out) {
        block((int) blockIndex, (int) step, (int) (step >>> 32), stream, (int) seed, (int) (seed >>> 32), out);
    }

    /** Uniform in [0,1) from one word: its top 24 bits. */
    public static float uniform(int word) {
        return (word >>> 8) * TWO_POW_MINUS_24;
    }

    /**
     * Writes the two Box-Muller normals of one word pair into out[at], out[at+1].
     * The radius comes from the top 24 bits of {@code a} (as a uniform in (0,1]), the angle
     * from {@code b}: quadrant from its top 2 bits, position inside it from the next 24.
     */
    public static void normalPair(int a, int b, float[] out, int at) {
        float u = ((a >>> 8) + 1) * TWO_POW_MINUS_24;          // (0, 1], exact
        float radius = (float) Math.sqrt(-2f * log(u));        // sqrt is correctly rounded everywhere
        int quadrant = b >>> 30;
        float theta = ((b >>> 6) & 0xFFFFFF) * TWO_POW_MINUS_24 * HALF_PI; // [0, pi/2)
        float s = sinQuarter(theta);
        float c = cosQuarter(theta);
        float sin, cos;
        switch (quadrant) {
            case 0: cos = c; sin = s; break;
            case 1: cos = -s; sin = c; break;
            case 2: cos = -c; sin = -s; break;
            default: cos = s; sin = -c; break;
        }
        out[at] = radius * cos;
        out[at + 1] = radius * sin;
    }

    /**
     * Natural log for u in (0, 1], float, max error about 2 ulp: u = m * 2^e with m in
     * [sqrt(1/2), sqrt(2)), log m = 2 atanh(f), f = (m-1)/(m+1), as an odd series in f.
     */
    static float log(float u) {
        int bits = Float.floatToRawIntBits(u);
        int e = ((bits >>> 23) & 0xFF) - 127;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000); // [1, 2)
        if (m > 1.41421356f) {
            m = m * 0.5f;
            e += 1;
        }
        float f = (m - 1f) / (m + 1f);
        float f2 = f * f;
        float p = Math.fma(f2, 0.11111111f, 0.14285714f);
        p = Math.fma(f2, p, 0.2f);
        p = Math.fma(f2, p, 0.33333334f);
        p = Math.fma(f2, p, 1f);
        float logm = 2f * f * p;
        return Math.fma(e, LN2_HI, Math.fma(e, LN2_LO, logm));
    }

    /** sin(x) for x in [0, pi/2), Taylor to x^13 (truncation below 1e-9). */
    static float sinQuarter(float x) {
        float x2 = x * x;
        float p = Math.fma(x2, 1.6059044e-10f, -2.5052108e-8f);
        p = Math.fma(x2, p, 2.7557319e-6f);
        p = Math.fma(x2, p, -1.9841270e-4f);
        p = Math.fma(x2, p, 8.3333333e-3f);
        p = Math.fma(x2, p, -1.6666667e-1f);
        return Math.fma(x * x2, p, x);
    }

    /** cos(x) for x in [0, pi/2), Taylor to x^14. */
    static float cosQuarter(float x) {
        float x2 = x * x;
        float p = Math.fma(x2, -1.1470746e-11f, 2.0876757e-9f);
        p = Math.fma(x2, p, -2.7557319e-7f);
        p = Math.fma(x2, p, 2.4801587e-5f);
        p = Math.fma(x2, p, -1.3888889e-3f);
        p = Math.fma(x2, p, 4.1666667e-2f);
        p = Math.fma(x2, p, -0.5f);
        return Math.fma(x2, p, 1f);
    }

    /**
     * Fills out[0..n) with elements [first, first+n) of the uniform stream (seed, step, stream),
     * mapped to [lo, hi): lo + (hi - lo) * U. {@code first} must be a multiple of 4.
     */
    public static void uniforms(long seed, long step, int stream, long first, float[] out, int n,
                                float lo, float hi) {
        int[] w = new int[4];
        float scale = hi - lo;
        for (int i = 0; i < n; i += 4) {
            block(seed, step, stream, (first + i) >>> 2, w);
            for (int j = 0; j < 4 && i + j < n; j++) {
                out[i + j] = lo + scale * uniform(w[j]);
            }
        }
    }

    /** Fills out[0..n) with elements [first, first+n) of the normal stream. first % 4 == 0. */
    public static void normals(long seed, long step, int stream, long first, float[] out, int n) {
        int[] w = new int[4];
        float[] z = new float[4];
        for (int i = 0; i < n; i += 4) {
            block(seed, step, stream, (first + i) >>> 2, w);
            normalPair(w[0], w[1], z, 0);
            normalPair(w[2], w[3], z, 2);
            for (int j = 0; j < 4 && i + j < n; j++) {
                out[i + j] = z[j];
            }
        }
    }
}
