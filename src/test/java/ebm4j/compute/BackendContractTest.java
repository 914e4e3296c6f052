package ebm4j.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of {@link Backend}, op by op, against naive references written here (double
 * accumulation, no cleverness), on awkward shapes (B=7, N=13, K=29, strides wider than rows,
 * slices at odd offsets) so bounds and stride mistakes show up. Every backend runs the same suite
 * through a subclass that supplies it; a subclass may state its own tolerances through the
 * protected hooks (each default says why it is what it is).
 */
public abstract class BackendContractTest {
    /** The backend under test, fresh for every test. */
    protected Backend backend;
    private final List<AutoCloseable> opened = new ArrayList<>();

    protected BackendContractTest() {}

    /** A new backend; closed after each test. */
    protected abstract Backend createBackend();

    @BeforeEach
    void openContractBackend() {
        backend = createBackend();
    }

    @AfterEach
    void closeContractBackend() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
        if (backend != null) {
            backend.close();
        }
    }

    // ---- tolerances (override in a subclass to state a different device's) ---------------------

    /**
     * GEMM: atol = rtol = this, times K/64 for K > 64. Float accumulation rounds differently from
     * the double reference: over K <= 64 products of values in [-1, 1] the rounding error is about
     * sqrt(K) * 2^-24 * |partial sums| ~ 1e-6, and it grows with K; 1e-5 leaves margin but still
     * catches a single wrong or missing term (>= 1e-3 here).
     */
    protected float gemmTolerance() {
        return 1e-5f;
    }

    /**
     * Ops built on exp/log (ELU, softmax, LogSumExp, the loss), atol = rtol = this: references are
     * in double, backends round to float (6e-8 relative) and float exp/log differ by an ulp or two
     * between libraries.
     */
    protected float mathTolerance() {
        return 2e-6f;
    }

    /**
     * Random ops against {@link Philox}'s Java stream, absolute. 0: the CPU backend must match bit
     * for bit (same integer Philox, same float polynomials, same operation order).
     */
    protected float randomTolerance() {
        return 0f;
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** A buffer holding {@code values}, closed after the test. */
    protected Buf buf(float... values) {
        Buf b = track(backend.alloc(values.length));
        backend.upload(b, values);
        return b;
    }

    protected Buf zeros(long n) {
        return track(backend.alloc(n));
    }

    protected IntBuf ints(int... values) {
        IntBuf b = track(backend.allocInt(values.length));
        backend.uploadInt(b, 0, values, 0, values.length);
        return b;
    }

    protected float[] get(Buf b) {
        return backend.download(b);
    }

    protected <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    /** n uniform floats in [lo, hi) from a fixed seed. */
    protected static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return out;
    }

    /** A counters buffer with the given step, Adam step and cursor. */
    protected IntBuf counters(long step, int adamT, int cursor) {
        int[] c = new int[Counters.SIZE];
        c[Counters.STEP_LO] = (int) step;
        c[Counters.STEP_HI] = (int) (step >>> 32);
        c[Counters.ADAM_T] = adamT;
        c[Counters.CURSOR] = cursor;
        return ints(c);
    }

    // ---- memory ------------------------------------------------------------------------------

    @Test
    void allocIsZeroedAndUploadDownloadHonourOffsets() {
        Buf b = zeros(11);
        assertEquals(11, b.size());
        Parity.assertBitEqual("fresh alloc", new float[11], get(b));

        backend.upload(b, 4, new float[] {9, 1, 2, 3, 9}, 1, 3);
        float[] out = new float[6];
        Arrays.fill(out, -7f);
        backend.download(out, 2, b, 3, 3);
        Parity.assertBitEqual("download window", new float[] {-7, -7, 0, 1, 2, -7}, out);
    }

    @Test
    void slicesShareMemoryAtTheirOffset() {
        Buf parent = zeros(20);
        Buf slice = parent.slice(5, 10);
        assertEquals(10, slice.size());
        backend.upload(slice, 2, new float[] {1, 2, 3}, 0, 3);
        Buf inner = slice.slice(3, 4);
        backend.upload(inner, 3, new float[] {8}, 0, 1);

        float[] expected = new float[20];
        expected[7] = 1;
        expected[8] = 2;
        expected[9] = 3;
        expected[11] = 8;
        Parity.assertBitEqual("parent after writes through slices", expected, get(parent));
        Parity.assertBitEqual("slice of slice", new float[] {2, 3, 0, 8}, get(inner));

        slice.close(); // a slice never frees: the parent stays usable
        Parity.assertBitEqual("parent after closing a slice", expected, get(parent));
    }

    @Test
    void intBuffersRoundTripAndSlice() {
        IntBuf b = ints(5, -6, 7, Integer.MIN_VALUE, Integer.MAX_VALUE);
        assertArrayEquals(new int[] {5, -6, 7, Integer.MIN_VALUE, Integer.MAX_VALUE}, backend.downloadInt(b));
        IntBuf s = b.slice(1, 3);
        backend.uploadInt(s, 1, new int[] {42}, 0, 1);
        assertArrayEquals(new int[] {-6, 42, Integer.MIN_VALUE}, backend.downloadInt(s));
        int[] window = new int[2];
        backend.downloadInt(window, 0, b, 2, 2);
        assertArrayEquals(new int[] {42, Integer.MIN_VALUE}, window);
        assertArrayEquals(new int[3], backend.downloadInt(track(backend.allocInt(3))));
    }

    @Test
    void fillAndCopyTouchExactlyNElements() {
        Buf dst = zeros(12);
        backend.fill(dst.slice(3, 8), 7, 2.5f);
        float[] expected = new float[12];
        Arrays.fill(expected, 3, 10, 2.5f);
        Parity.assertBitEqual("fill", expected, get(dst));

        float[] src = uniform(1, 15, -1, 1);
        Buf s = buf(src);
        backend.copy(dst.slice(1, 11), s.slice(4, 10), 9);
        System.arraycopy(src, 4, expected, 1, 9);
        Parity.assertBitEqual("copy", expected, get(dst));
    }

    // ---- gemm ----------------------------------------------------------------------------------

    static Stream<Arguments> gemmCases() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 1f, 0.5f}) {
                    cases.add(Arguments.of(ta, tb, beta));
                }
            }
        }
        return cases.stream();
    }

    /** M=7, N=13, K=29, every transpose, beta 0/1/0.5, padded strides, operands as slices. */
    @ParameterizedTest(name = "transA={0} transB={1} beta={2}")
    @MethodSource("gemmCases")
    void gemmMatchesReferenceOnAwkwardShapes(boolean transA, boolean transB, float beta) {
        checkGemm(transA, transB, 7, 13, 29, -0.75f, beta, 3, 5, 2);
    }

    /** Shapes big enough to be split across threads, K past one packing block, M past one row chunk. */
    @ParameterizedTest(name = "shape #{0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void gemmMatchesReferenceOnShapesThatSplit(int which) {
        switch (which) {
            case 0 -> checkGemm(false, false, 64, 100, 300, 1f, 0f, 0, 0, 0);   // forward X·W
            case 1 -> checkGemm(false, true, 64, 97, 200, 1f, 0f, 1, 0, 3);     // backward-data dY·W^T
            case 2 -> checkGemm(true, false, 136, 40, 128, 1f, 1f, 0, 2, 0);    // weight gradient X^T·dY, accumulate
            case 3 -> checkGemm(false, false, 8, 300, 200, 1f, 0.5f, 0, 0, 1);  // thin C: splits over columns
            case 4 -> checkGemm(true, true, 33, 70, 600, 0.5f, 0f, 2, 1, 0);    // K spans several blocks
            case 5 -> checkGemm(false, true, 7, 19, 13, -0.75f, 0f, 3, 5, 2);  // layer product, every side odd
            default -> checkGemm(false, false, 130, 10, 512, 1f, 0f, 0, 0, 0);  // the 10-wide output layer
        }
    }

    @Test
    void gemmWithZeroKScalesC() {
        float[] c0 = uniform(3, 6, -1, 1);
        Buf c = buf(c0);
        Buf a = zeros(1);
        Buf b = zeros(1);
        backend.gemm(false, false, 2, 3, 0, 1f, a, 1, b, 3, 0.5f, c, 3);
        float[] expected = new float[6];
        for (int i = 0; i < 6; i++) {
            expected[i] = 0.5f * c0[i];
        }
        Parity.assertClose("k=0, beta=0.5", expected, get(c), 0f, 0f);
        backend.upload(c, new float[] {Float.NaN, 1, 2, 3, 4, 5});
        backend.gemm(false, false, 2, 3, 0, 1f, a, 1, b, 3, 0f, c, 3);
        Parity.assertBitEqual("k=0, beta=0 overwrites NaN", new float[6], get(c));
    }

    /**
     * C = alpha*op(A)*op(B) + beta*C with A, B, C as slices at offsets 5, 3, 7 of larger buffers
     * whose stride padding holds NaN (a kernel that reads padding poisons its result) and, when
     * beta == 0, NaN in C itself (beta == 0 must overwrite). Padding of C must stay NaN.
     */
    protected void checkGemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                             int padA, int padB, int padC) {
        int aRows = transA ? k : m, aCols = transA ? m : k, lda = aCols + padA;
        int bRows = transB ? n : k, bCols = transB ? k : n, ldb = bCols + padB;
        int ldc = n + padC;
        int aOff = 5, bOff = 3, cOff = 7;
        SplittableRandom r = new SplittableRandom(31L * m + 7L * n + k + (transA ? 1000 : 0) + (transB ? 2000 : 0));
        float[] a = matrix(r, aOff, aRows, aCols, lda, false);
        float[] b = matrix(r, bOff, bRows, bCols, ldb, false);
        float[] c = matrix(r, cOff, m, n, ldc, beta == 0f);

        float[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                }
                int ci = cOff + i * ldc + j;
                expected[ci] = (float) (alpha * sum + (beta == 0f ? 0 : beta * (double) c[ci]));
            }
        }

        Buf ab = buf(a);
        Buf bb = buf(b);
        Buf cb = buf(c);
        backend.gemm(transA, transB, m, n, k, alpha,
                ab.slice(aOff, a.length - aOff), lda, bb.slice(bOff, b.length - bOff), ldb,
                beta, cb.slice(cOff, c.length - cOff), ldc);
        float tol = gemmTolerance() * Math.max(1f, k / 64f);
        Parity.assertClose(String.format("gemm ta=%b tb=%b %dx%dx%d beta=%s", transA, transB, m, n, k, beta),
                expected, get(cb), tol, tol);
    }

    /**
     * A buffer with {@code off} leading floats, then (rows, cols) values in [-1, 1) at row stride
     * ld; padding (leading, trailing 4, and ld - cols per row) is NaN. {@code nanBody}: NaN values too.
     */
    private static float[] matrix(SplittableRandom r, int off, int rows, int cols, int ld, boolean nanBody) {
        float[] out = new float[off + Math.max(0, (rows - 1) * ld + cols) + 4];
        Arrays.fill(out, Float.NaN);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[off + i * ld + j] = nanBody ? Float.NaN : (float) (2 * r.nextDouble() - 1);
            }
        }
        return out;
    }

    // ---- activations and reductions ------------------------------------------------------------

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("activationShapes")
    void biasEluMatchesReference(int rows, int cols) {
        float[] out0 = uniform(11, rows * cols + 2, -4, 4);
        out0[2] = 0f;             // elu(0 + bias[0]) hits the branch boundary when bias[0] = 0
        out0[3] = -100f;          // deep negative: -1
        float[] bias = uniform(12, cols, -0.5f, 0.5f);
        bias[0] = 0f;
        Buf out = buf(out0);
        backend.biasElu(out.slice(2, rows * cols), buf(bias), rows, cols);

        float[] expected = out0.clone();
        for (int i = 0; i < rows * cols; i++) {
            float x = out0[2 + i] + bias[i % cols];
            expected[2 + i] = x > 0 ? x : (float) Math.expm1(x);
        }
        Parity.assertClose("biasElu", expected, get(out), mathTolerance(), mathTolerance());
    }

    static Stream<Arguments> activationShapes() {
        return Stream.of(Arguments.of(7, 13), Arguments.of(128, 300));
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @MethodSource("activationShapes")
    void addBiasIsExactFloatAddition(int rows, int cols) {
        float[] out0 = uniform(13, rows * cols, -3, 3);
        float[] bias = uniform(14, cols + 1, -1, 1);
        Buf out = buf(out0);
        backend.addBias(out, buf(bias).slice(1, cols), rows, cols);
        float[] expected = new float[rows * cols];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = out0[i] + bias[1 + i % cols];
        }
        Parity.assertBitEqual("addBias", expected, get(out));
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {91, 70_001})
    void eluBackwardUsesTheOutput(int n) {
        float[] grad0 = uniform(15, n, -2, 2);
        float[] out0 = uniform(16, n, -1, 3);
        out0[0] = 0f;    // derivative 0 + 1 = 1
        out0[1] = -1f;   // saturated: derivative 0
        out0[2] = 1e-3f; // positive: derivative 1
        Buf grad = buf(grad0);
        backend.eluBackward(grad, buf(out0), n);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = out0[i] > 0 ? grad0[i] : grad0[i] * (out0[i] + 1f);
        }
        Parity.assertBitEqual("eluBackward", expected, get(grad));
        assertTrue(expected[1] == 0f, "the fixture covers the saturated case");
    }

    /**
     * The fused layer ops give the bits of their two ops one after the other, at the shapes of the
     * sampler (64 rows; the 784-wide input layer and the 512-wide hidden ones), of a training
     * batch (192 rows), of a partial register tile and a partial panel (7 x 40 over 33), of rows
     * beyond what the CPU's fused kernel takes (300), and of a depth too short for it (10, the
     * scores' layer).
     */
    @ParameterizedTest(name = "rows={0} n={1} k={2}")
    @MethodSource("fusedLayerShapes")
    void fusedLayerOpsEqualTheirTwoOps(int rows, int n, int k) {
        float[] in = uniform(41, rows * k, -1, 1);
        float[] weight = uniform(42, n * k, -0.1f, 0.1f);
        float[] bias = uniform(43, n, -0.3f, 0.3f);
        Buf w = buf(weight);
        Buf fused = zeros((long) rows * n);
        backend.gemmBiasElu(fused, buf(in), w, buf(bias), rows, n, k);
        Buf twoOps = zeros((long) rows * n);
        backend.gemm(false, true, rows, n, k, 1f, buf(in), k, w, k, 0f, twoOps, n);
        backend.biasElu(twoOps, buf(bias), rows, n);
        float[] forward = get(twoOps);
        Parity.assertBitEqual("gemmBiasElu", forward, get(fused));
        long negative = IntStream.range(0, forward.length).filter(i -> forward[i] < 0).count();
        assertTrue(negative > forward.length / 10 && negative < forward.length * 9 / 10,
                "the fixture covers both sides of ELU: " + negative + " of " + forward.length);

        // back through the same weights: dIn:(rows,k) from dOut:(rows,n), ELU output act:(rows,k)
        float[] dOut = uniform(44, rows * n, -1, 1);
        float[] act = uniform(45, rows * k, -1, 2);
        Buf dInFused = zeros((long) rows * k);
        backend.gemmEluBackward(dInFused, buf(dOut), w, buf(act), rows, n, k);
        Buf dInTwoOps = zeros((long) rows * k);
        backend.gemm(false, false, rows, k, n, 1f, buf(dOut), n, w, k, 0f, dInTwoOps, k);
        backend.eluBackward(dInTwoOps, buf(act), (long) rows * k);
        Parity.assertBitEqual("gemmEluBackward", get(dInTwoOps), get(dInFused));
    }

    static Stream<Arguments> fusedLayerShapes() {
        return Stream.of(Arguments.of(64, 512, 784), Arguments.of(64, 512, 512), Arguments.of(192, 512, 512),
                Arguments.of(7, 40, 33), Arguments.of(300, 48, 64), Arguments.of(64, 512, 10));
    }

    @ParameterizedTest(name = "beta={0}")
    @ValueSource(floats = {0f, 1f, 0.5f})
    void columnSumsMatchReference(float beta) {
        for (int[] shape : new int[][] {{7, 13}, {128, 515}}) {
            int rows = shape[0], cols = shape[1];
            float[] in = uniform(17, rows * cols, -1, 1);
            float[] out0 = uniform(18, cols, -1, 1);
            if (beta == 0f) {
                Arrays.fill(out0, Float.NaN);
            }
            Buf out = buf(out0);
            backend.columnSums(out, buf(in), rows, cols, beta);
            float[] expected = new float[cols];
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int i = 0; i < rows; i++) {
                    s += in[i * cols + j];
                }
                expected[j] = (float) (s + (beta == 0f ? 0 : beta * (double) out0[j]));
            }
            // float summation of <= 128 terms in [-1, 1]: error well below 1e-5
            Parity.assertClose("columnSums " + rows + "x" + cols, expected, get(out), 1e-5f, 1e-5f);
        }
    }

    // ---- energies and losses ---------------------------------------------------------------------

    private static double lse(double[] s, int row, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, s[row * classes + j]);
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            sum += Math.exp(s[row * classes + j] - max);
        }
        return max + Math.log(sum);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @ParameterizedTest(name = "sign={0}")
    @ValueSource(floats = {1f, -1f})
    void energyGradIsTheGradientOfSignedLogSumExp(float sign) {
        int rows = 7, classes = 10;
        float[] scores = uniform(21, rows * classes, -5, 5);
        for (int j = 0; j < classes; j++) {
            scores[5 * classes + j] = 1000f - 90f * j; // huge: LSE must subtract the max
            scores[6 * classes + j] = -1000f + j;      // hugely negative
        }
        Buf dScores = zeros(rows * classes);
        Buf energy = zeros(rows);
        backend.energyGrad(dScores, energy, buf(scores), rows, classes, sign);
        float[] d = get(dScores);
        float[] e = get(energy);

        double[] s = toDouble(scores);
        float[] expectedE = new float[rows];
        float[] fd = new float[rows * classes];
        double h = 1e-4;
        for (int r = 0; r < rows; r++) {
            expectedE[r] = (float) (sign * lse(s, r, classes));
            for (int j = 0; j < classes; j++) {
                int i = r * classes + j;
                double keep = s[i];
                s[i] = keep + h;
                double up = sign * lse(s, r, classes);
                s[i] = keep - h;
                double down = sign * lse(s, r, classes);
                s[i] = keep;
                fd[i] = (float) ((up - down) / (2 * h));
            }
        }
        // central difference in double: truncation ~h^2 = 1e-8, rounding ~1e-16 * 1000 / h = 1e-9
        Parity.assertClose("energyGrad vs finite difference", fd, d, mathTolerance(), mathTolerance());
        Parity.assertClose("energy", expectedE, e, mathTolerance(), mathTolerance());
        for (int r = 0; r < rows; r++) {
            double rowSum = 0;
            for (int j = 0; j < classes; j++) {
                rowSum += d[r * classes + j];
            }
            assertEquals(sign, rowSum, 1e-5, "softmax row " + r + " sums to sign");
        }

        Buf dOnly = zeros(rows * classes);
        backend.energyGrad(dOnly, null, buf(scores), rows, classes, sign);
        Parity.assertBitEqual("energyGrad without energy", d, get(dOnly));
    }

    @Test
    void energyGradSplitsLargeBatchesLikeSmallOnes() {
        int rows = 1000, classes = 10;
        float[] scores = uniform(22, rows * classes, -8, 8);
        Buf big = zeros(rows * classes);
        backend.energyGrad(big, null, buf(scores), rows, classes, 1f);
        Buf one = zeros(classes);
        Buf oneScores = buf(Arrays.copyOfRange(scores, 517 * classes, 518 * classes));
        backend.energyGrad(one, null, oneScores, 1, classes, 1f);
        Parity.assertBitEqual("row 517 alone vs in a batch of 1000",
                get(one), Arrays.copyOfRange(get(big), 517 * classes, 518 * classes));
    }

    /** The loss of the stacked batch exactly as {@link HybridLossSpec} defines it, in double. */
    private static double hybridLoss(double[] s, int[] labels, int batch, int classes, HybridLossSpec spec,
                                     double[] parts) {
        double ce = 0, er = 0, es = 0, er2 = 0, es2 = 0;
        for (int r = 0; r < 2 * batch; r++) {
            double l = lse(s, r, classes);
            double e = spec.energySign() * l;
            if (r < batch) {
                ce += l - s[r * classes + labels[r]];
                er += e;
                er2 += e * e;
            } else {
                es += e;
                es2 += e * e;
            }
        }
        ce /= batch;
        er /= batch;
        es /= batch;
        double gen = spec.genWeight() * (er - es) + spec.l2Weight() * (er2 / batch + es2 / batch);
        if (parts != null) {
            parts[0] = ce;
            parts[1] = gen;
            parts[2] = er;
            parts[3] = es;
        }
        return ce + gen;
    }

    /** The last: a negative weight on labelled rows, as augment_target=classifier_negative uses. */
    static Stream<HybridLossSpec> lossSpecs() {
        return Stream.of(HybridLossSpec.REFERENCE, new HybridLossSpec(-1f, 0.7f, 0.1f), new HybridLossSpec(1f, 0f, 0f),
                new HybridLossSpec(-1f, -0.05f, 0.01f));
    }

    @ParameterizedTest
    @MethodSource("lossSpecs")
    void hybridLossGradIsTheGradientOfTheLossAndAddsItsStatistics(HybridLossSpec spec) {
        int batch = 7, classes = 10;
        float[] scores = uniform(23, 2 * batch * classes, -4, 4);
        int[] labels = {3, 2, 5, 0, 9, 9, 1};
        // row 0: label clearly maximal (correct); row 1: tie of classes 2 and 5, label 2 (first
        // maximum: correct); row 2: same tie, label 5 (not correct)
        scores[0 * classes + 3] = 9f;
        for (int r = 1; r <= 2; r++) {
            scores[r * classes + 2] = 6f;
            scores[r * classes + 5] = 6f;
        }
        for (int j = 0; j < classes; j++) {
            scores[(2 * batch - 1) * classes + j] *= 20f; // a sample row with a large energy
        }
        int expectedCorrect = 0;
        for (int r = 0; r < batch; r++) {
            int best = 0;
            for (int j = 1; j < classes; j++) {
                if (scores[r * classes + j] > scores[r * classes + best]) {
                    best = j;
                }
            }
            expectedCorrect += best == labels[r] ? 1 : 0;
        }
        assertTrue(expectedCorrect >= 2 && expectedCorrect < batch, "the fixture mixes right and wrong rows");

        float[] stats0 = {0.5f, 0.25f, 0.125f, -1f, 2f, 3f, 14f, 2f};
        Buf stats = buf(stats0);
        Buf dScores = zeros(2 * batch * classes);
        backend.hybridLossGrad(dScores, stats, buf(scores), ints(labels), batch, classes, spec);

        double[] s = toDouble(scores);
        float[] fd = new float[s.length];
        double h = 1e-4;
        for (int i = 0; i < s.length; i++) {
            double keep = s[i];
            s[i] = keep + h;
            double up = hybridLoss(s, labels, batch, classes, spec, null);
            s[i] = keep - h;
            double down = hybridLoss(s, labels, batch, classes, spec, null);
            s[i] = keep;
            fd[i] = (float) ((up - down) / (2 * h));
        }
        Parity.assertClose("hybridLossGrad vs finite difference of L", fd, get(dScores),
                mathTolerance(), 10 * mathTolerance());

        double[] parts = new double[4];
        double loss = hybridLoss(s, labels, batch, classes, spec, parts);
        float[] expected = {
            (float) (stats0[LossStats.LOSS] + loss),
            (float) (stats0[LossStats.CLF] + parts[0]),
            (float) (stats0[LossStats.GEN] + parts[1]),
            (float) (stats0[LossStats.E_REAL] + parts[2]),
            (float) (stats0[LossStats.E_SAMPLE] + parts[3]),
            stats0[LossStats.CORRECT] + expectedCorrect,
            stats0[LossStats.ROWS] + batch,
            stats0[LossStats.BATCHES] + 1,
        };
        float tol = 5 * mathTolerance(); // statistics of magnitude ~10, accumulated once
        Parity.assertClose("stats", expected, get(stats), tol, tol);
    }

    /**
     * {@link HybridLossSpec#energyNeutralCe}: each real row's gradient is the plain one less the
     * cross-entropy part's projection on p = softmax (so that part is orthogonal to p); sampled
     * rows and the statistics are the plain loss's, bit for bit.
     */
    @ParameterizedTest
    @MethodSource("lossSpecs")
    void energyNeutralCrossEntropyRemovesItsComponentAlongTheSoftmax(HybridLossSpec plain) {
        HybridLossSpec neutral = new HybridLossSpec(plain.energySign(), plain.genWeight(), plain.l2Weight(), true);
        int batch = 6, classes = 10;
        float[] scores = uniform(25, 2 * batch * classes, -4, 4);
        scores[3] = 12f; // a confident, correct row: its projection is small but not zero
        int[] labels = {3, 7, 1, 1, 0, 9};
        float[] stats0 = {0.5f, 0.25f, 0.125f, -1f, 2f, 3f, 14f, 2f};
        Buf plainStats = buf(stats0), neutralStats = buf(stats0);
        Buf dPlain = zeros(2 * batch * classes), dNeutral = zeros(2 * batch * classes);
        backend.hybridLossGrad(dPlain, plainStats, buf(scores), ints(labels), batch, classes, plain);
        backend.hybridLossGrad(dNeutral, neutralStats, buf(scores), ints(labels), batch, classes, neutral);
        float[] gp = get(dPlain), gn = get(dNeutral);

        Parity.assertBitEqual("statistics", get(plainStats), get(neutralStats));
        int sampled = batch * classes;
        Parity.assertBitEqual("sampled rows", Arrays.copyOfRange(gp, sampled, 2 * sampled),
                Arrays.copyOfRange(gn, sampled, 2 * sampled));
        double[] s = toDouble(scores);
        float[] expected = new float[sampled];
        double largestShift = 0;
        for (int r = 0; r < batch; r++) {
            double l = lse(s, r, classes);
            double[] p = new double[classes];
            double ceDotP = 0, pp = 0;
            for (int j = 0; j < classes; j++) {
                p[j] = Math.exp(s[r * classes + j] - l);
                ceDotP += (p[j] - (j == labels[r] ? 1 : 0)) * p[j];
                pp += p[j] * p[j];
            }
            double c = ceDotP / pp;
            for (int j = 0; j < classes; j++) {
                double shift = c * p[j] / batch;
                expected[r * classes + j] = (float) (gp[r * classes + j] - shift);
                largestShift = Math.max(largestShift, Math.abs(shift));
            }
        }
        assertTrue(largestShift > 1e-2, "the projection changes the gradient, so the check can fail");
        Parity.assertClose("real rows: plain gradient less the projection", expected,
                Arrays.copyOfRange(gn, 0, sampled), mathTolerance(), 10 * mathTolerance());
    }

    @Test
    void hybridLossStatisticsAccumulateOverBatches() {
        int batch = 3, classes = 4;
        float[] scores = uniform(24, 2 * batch * classes, -2, 2);
        int[] labels = {0, 3, 1};
        Buf stats = zeros(LossStats.SIZE);
        Buf s = buf(scores);
        IntBuf l = ints(labels);
        Buf d = zeros(2 * batch * classes);
        backend.hybridLossGrad(d, stats, s, l, batch, classes, HybridLossSpec.REFERENCE);
        float[] once = get(stats);
        backend.hybridLossGrad(d, stats, s, l, batch, classes, HybridLossSpec.REFERENCE);
        float[] twice = get(stats);
        for (int i = 0; i < LossStats.SIZE; i++) {
            assertEquals(2 * once[i], twice[i], 1e-5 * Math.abs(once[i]) + 1e-6, "stats[" + i + "]");
        }
        assertEquals(2f, twice[LossStats.BATCHES]);
        assertEquals(2f * batch, twice[LossStats.ROWS]);
    }

    // ---- random ops ------------------------------------------------------------------------------

    private static final long SEED = 0x1234_5678_9ABCL;
    /** A step whose high word is set, so both counter words must be read. */
    private static final long STEP = (2L << 32) | 0x89AB_CDEFL;

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1001, 100_003})
    void uniformFillIsPhiloxsUniformStream(int n) {
        Buf x = zeros(n + 8);
        backend.uniformFill(x.slice(3, n), n, -1f, 1f, SEED, counters(STEP, 0, 0), 5);
        float[] stream = new float[n];
        Philox.uniforms(SEED, STEP, 5, 0, stream, n, -1f, 1f);
        float[] expected = new float[n + 8];
        System.arraycopy(stream, 0, expected, 3, n);
        Parity.assertClose("uniformFill", expected, get(x), randomTolerance(), 0f);

        Buf y = zeros(n);
        backend.uniformFill(y, n, -1f, 1f, SEED, counters(STEP + 1, 0, 0), 5);
        assertFalse(Arrays.equals(stream, get(y)), "the next step draws different numbers");
        backend.uniformFill(y, n, -1f, 1f, SEED, counters(STEP, 0, 0), 6);
        assertFalse(Arrays.equals(stream, get(y)), "another stream draws different numbers");
    }

    @ParameterizedTest(name = "n={0} clip={1}")
    @MethodSource("langevinCases")
    void langevinUpdateIsTheDocumentedFloatExpression(int n, float gradClip) {
        float alpha = 0.1f, sigma = 0.01f;
        float[] x0 = uniform(31, n, -1, 1);
        float[] grad = uniform(32, n, -3, 3);
        Buf x = buf(x0);
        backend.langevinUpdate(x, buf(grad), n, alpha, sigma, gradClip, SEED, counters(STEP, 0, 0), 9);

        float[] z = new float[n];
        Philox.normals(SEED, STEP, 9, 0, z, n);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            float g = gradClip > 0 ? Math.max(-gradClip, Math.min(gradClip, grad[i])) : grad[i];
            float t = x0[i] - alpha * g;
            expected[i] = t + sigma * z[i];
        }
        Parity.assertClose("langevinUpdate", expected, get(x), randomTolerance(), 0f);
    }

    static Stream<Arguments> langevinCases() {
        return Stream.of(Arguments.of(91, 0f), Arguments.of(91, 1f), Arguments.of(50_177, 0.5f));
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {13, 40_003})
    void addNoiseIsPhiloxsNormalStream(int n) {
        float[] x0 = uniform(33, n, -1, 1);
        Buf x = buf(x0);
        backend.addNoise(x, n, 0.3f, SEED, counters(STEP, 0, 0), 2);
        float[] z = new float[n];
        Philox.normals(SEED, STEP, 2, 0, z, n);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = x0[i] + 0.3f * z[i];
        }
        Parity.assertClose("addNoise", expected, get(x), randomTolerance(), 0f);
    }

    @Test
    void clampLimitsToTheRange() {
        float[] x0 = uniform(34, 40_001, -3, 3);
        x0[0] = -1f;
        x0[1] = 1f;
        Buf x = buf(x0);
        backend.clamp(x, x0.length - 1, -1f, 1f);
        float[] expected = x0.clone();
        for (int i = 0; i < x0.length - 1; i++) {
            expected[i] = Math.min(Math.max(x0[i], -1f), 1f);
        }
        Parity.assertBitEqual("clamp (last element untouched)", expected, get(x));
    }

    // ---- data ----------------------------------------------------------------------------------

    @Test
    void scatterRowsWritesTheIndexedRowsFromTheCursorAndNothingElse() {
        int tableRows = 9, cols = 5, rows = 3, cursor = 2;
        float[] table = uniform(41, tableRows * cols + 1, -1, 1);
        float[] src = uniform(42, rows * cols, 5, 6);
        int[] index = {0, 8, 6, 1, 3, 7};   // positions 2..4 name table rows 6, 1 and 3
        Buf t = buf(table);
        IntBuf c = counters(0, 0, cursor);
        backend.scatterRows(t.slice(0, tableRows * cols), buf(src), ints(index), c, rows, cols);

        float[] expected = table.clone();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, r * cols, expected, index[cursor + r] * cols, cols);
        }
        Parity.assertBitEqual("scattered rows (the element past the table untouched)", expected, get(t));
        assertArrayEquals(new int[] {0, 0, 0, cursor}, backend.downloadInt(c), "the cursor is not advanced");

        // gatherRows through the same index reads back what was written
        Buf back = zeros(rows * cols);
        backend.gatherRows(back, null, t, null, ints(index), c, rows, cols);
        Parity.assertBitEqual("gathered back", src, get(back));
    }

    @Test
    void gatherRowsFollowsThePermutationFromTheCursor() {
        int tableRows = 10, cols = 6, rows = 4, cursor = 3;
        float[] table = new float[tableRows * cols];
        for (int i = 0; i < table.length; i++) {
            table[i] = (i / cols) * 100 + i % cols;
        }
        int[] labels = {3, 1, 4, 1, 5, 9, 2, 6, 5, 8};
        int[] perm = {7, 2, 9, 0, 4, 1, 8, 3, 6, 5};
        Buf out = zeros(rows * cols + 2);
        IntBuf labelsOut = track(backend.allocInt(rows));
        IntBuf c = counters(0, 0, cursor);
        backend.gatherRows(out.slice(2, rows * cols), labelsOut, buf(table), ints(labels), ints(perm), c, rows, cols);

        float[] expected = new float[rows * cols + 2];
        int[] expectedLabels = new int[rows];
        for (int r = 0; r < rows; r++) {
            int src = perm[cursor + r];
            System.arraycopy(table, src * cols, expected, 2 + r * cols, cols);
            expectedLabels[r] = labels[src];
        }
        Parity.assertBitEqual("gathered rows", expected, get(out));
        assertArrayEquals(new int[] {3, 5, 1, 5}, expectedLabels, "fixture");
        assertArrayEquals(expectedLabels, backend.downloadInt(labelsOut));
        assertArrayEquals(new int[] {0, 0, 0, cursor}, backend.downloadInt(c), "the cursor is not advanced");

        Buf noLabels = zeros(rows * cols);
        backend.gatherRows(noLabels, null, buf(table), null, ints(perm), c, rows, cols);
        Parity.assertBitEqual("gathered rows without labels", Arrays.copyOfRange(expected, 2, expected.length),
                get(noLabels));
    }

    @Test
    void incrementCarriesTheStepAcrossTwoToThe32() {
        IntBuf c = ints(0xFFFF_FFFF, 5, 10, 64);
        backend.increment(c, Counters.STEP_LO, 1);
        assertArrayEquals(new int[] {0, 6, 10, 64}, backend.downloadInt(c));
        backend.uploadInt(c, 0, new int[] {0xFFFF_FFFE, 0}, 0, 2);
        backend.increment(c, Counters.STEP_LO, 3);
        assertArrayEquals(new int[] {1, 1, 10, 64}, backend.downloadInt(c));
        backend.increment(c, Counters.STEP_LO, 7);
        assertArrayEquals(new int[] {8, 1, 10, 64}, backend.downloadInt(c), "no carry below 2^32");
        backend.increment(c, Counters.ADAM_T, 1);
        backend.increment(c, Counters.CURSOR, 64);
        assertArrayEquals(new int[] {8, 1, 11, 128}, backend.downloadInt(c));
        assertEquals((1L << 32) + 8, Counters.step(backend.downloadInt(c)));
    }

    // ---- images ----------------------------------------------------------------------------------

    /** Awkward geometry: 5x4 images of 3 channels, a 3x2 window, stride 2, one pixel of padding. */
    private static final Patches PATCHES = new Patches(5, 4, 3, 3, 2, 2, 1);

    /** The definition of im2col, written out. */
    private static float[] im2colReference(float[] x, Patches p, int batch) {
        float[] cols = new float[batch * p.positions() * p.patchSize()];
        int at = 0;
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < p.outHeight(); oy++) {
                for (int ox = 0; ox < p.outWidth(); ox++) {
                    for (int ky = 0; ky < p.kernelH(); ky++) {
                        for (int kx = 0; kx < p.kernelW(); kx++) {
                            for (int c = 0; c < p.channels(); c++) {
                                int iy = oy * p.stride() - p.pad() + ky, ix = ox * p.stride() - p.pad() + kx;
                                boolean inside = iy >= 0 && iy < p.height() && ix >= 0 && ix < p.width();
                                cols[at++] = inside ? x[((b * p.height() + iy) * p.width() + ix) * p.channels() + c] : 0f;
                            }
                        }
                    }
                }
            }
        }
        return cols;
    }

    @Test
    void im2colLaysPatchesOutAsRows() {
        int batch = 2;
        float[] x = uniform(31, batch * PATCHES.pixels(), -1f, 1f);
        Buf cols = zeros((long) batch * PATCHES.positions() * PATCHES.patchSize());
        backend.im2col(cols, buf(x), PATCHES, batch);
        assertEquals(3 * 3, PATCHES.positions(), "(5 + 2 - 3)/2 + 1 = 3 rows, (4 + 2 - 2)/2 + 1 = 3 columns of positions");
        assertArrayEquals(im2colReference(x, PATCHES, batch), get(cols), 0f);
    }

    /** col2im is im2col's adjoint: <im2col(x), y> = <x, col2im(y)>, and it scatters into every pixel read. */
    @Test
    void col2imIsTheAdjointOfIm2col() {
        int batch = 2;
        float[] x = uniform(32, batch * PATCHES.pixels(), -1f, 1f);
        float[] y = uniform(33, batch * PATCHES.positions() * PATCHES.patchSize(), -1f, 1f);
        float[] cols = im2colReference(x, PATCHES, batch);
        Buf dx = buf(uniform(34, batch * PATCHES.pixels(), 5f, 6f)); // overwritten, not added to
        backend.col2im(dx, buf(y), PATCHES, batch);
        float[] back = get(dx);
        double left = 0, right = 0;
        for (int i = 0; i < y.length; i++) {
            left += (double) cols[i] * y[i];
        }
        for (int i = 0; i < x.length; i++) {
            right += (double) x[i] * back[i];
        }
        assertEquals(left, right, 1e-5 * (1 + Math.abs(left)), "adjoint identity");
        float[] ones = new float[y.length];
        java.util.Arrays.fill(ones, 1f);
        backend.col2im(dx, buf(ones), PATCHES, batch);
        float[] counts = get(dx);
        // pixel (0, 0) of image 0: read by (oy 0, ky 1) and (ox 0, kx 1) only, once per channel
        assertEquals(1f, counts[0]);
        // pixel (1, 1): iy 1 is read by oy 0 (ky 2) and oy 1 (ky 0); ix 1 by ox 1 (kx 0): 2 reads
        assertEquals(2f, counts[(1 * PATCHES.width() + 1) * PATCHES.channels()]);
    }

    @Test
    void shiftImagesMovesEachRowByItsOwnPhiloxDrawnOffset() {
        int rows = 9, h = 6, w = 5, c = 2, max = 2, pixels = h * w * c;
        float[] in = uniform(35, rows * pixels, -1f, 1f);
        Buf out = zeros((long) rows * pixels);
        backend.shiftImages(out, buf(in), rows, h, w, c, max, -1f, 77L, counters(12, 0, 0), 40);
        float[] got = get(out);
        int[] words = new int[4];
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int r = 0; r < rows; r++) {
            Philox.block(77L, 12, 40, r, words);
            int dy = (int) (Integer.toUnsignedLong(words[0]) % 5) - max, dx = (int) (Integer.toUnsignedLong(words[1]) % 5) - max;
            seen.add(dy * 10 + dx);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        int sy = y - dy, sx = x - dx;
                        float want = sy < 0 || sy >= h || sx < 0 || sx >= w ? -1f
                                : in[r * pixels + (sy * w + sx) * c + ch];
                        assertEquals(want, got[r * pixels + (y * w + x) * c + ch], 0f, "row " + r);
                    }
                }
            }
        }
        assertTrue(seen.size() > 3, "rows draw different shifts: " + seen);
        Buf same = zeros((long) rows * pixels);
        backend.shiftImages(same, buf(in), rows, h, w, c, 0, -1f, 77L, counters(12, 0, 0), 40);
        assertArrayEquals(in, get(same), 0f, "a zero shift copies");
    }

    // ---- optimiser -------------------------------------------------------------------------------

    /**
     * Two Adam steps on 3 parameters, worked by hand (lr 0.01, beta1 0.9, beta2 0.999, eps 1e-8).
     * p0 = (1, -2, 0.5), g1 = (0.5, -1, 2), g2 = (-0.5, 3, 2).
     * <pre>
     * t=1: m = 0.1*g1 = (0.05, -0.1, 0.2); v = 0.001*g1^2 = (0.00025, 0.001, 0.004)
     *      mhat = m/0.1 = g1; vhat = v/0.001 = g1^2; step = 0.01*g1/(|g1| + 1e-8) ~ 0.01*sign(g1)
     *      p1 = (0.99, -1.99, 0.49)
     * t=2: m = 0.9*m + 0.1*g2 = (-0.005, 0.21, 0.38)
     *      v = 0.999*v + 0.001*g2^2 = (0.00049975, 0.009999, 0.007996)
     *      bias corrections 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999
     *      mhat = (-0.0263157895, 1.1052631579, 2); vhat = (0.25, 5.0020010005, 4)
     *      step = 0.01*mhat/sqrt(vhat) = (-0.000526315789, 0.00494189833, 0.01)
     *      p2 = (0.990526315789, -1.99494189833, 0.48)
     * </pre>
     */
    @Test
    void adamTakesTwoHandComputedSteps() {
        AdamSpec spec = new AdamSpec(0.01f, 0.9f, 0.999f, 1e-8f, 0, 0);
        Buf p = buf(1f, -2f, 0.5f);
        Buf g = buf(0.5f, -1f, 2f);
        Buf m = zeros(3);
        Buf v = zeros(3);
        IntBuf c = counters(0, 0, 0);

        backend.adamStep(p, g, m, v, 3, c, spec);
        assertEquals(0, backend.downloadInt(c)[Counters.ADAM_T], "adamStep leaves the counter to the caller");
        // Float parameters of magnitude 2 carry ~2.4e-7 of rounding per operation. The moments
        // inherit the float betas: 0.999f is 0.99900001287, so 1 - beta2 is 1.3e-5 (relative) off
        // 0.001 and v is too, consistently with its bias correction (the parameters are not).
        Parity.assertClose("m after step 1", new float[] {0.05f, -0.1f, 0.2f}, get(m), 1e-7f, 1e-6f);
        Parity.assertClose("v after step 1", new float[] {0.00025f, 0.001f, 0.004f}, get(v), 1e-9f, 2e-5f);
        Parity.assertClose("params after step 1", new float[] {0.99f, -1.99f, 0.49f}, get(p), 1e-6f, 0f);

        backend.increment(c, Counters.ADAM_T, 1);
        backend.upload(g, new float[] {-0.5f, 3f, 2f});
        backend.adamStep(p, g, m, v, 3, c, spec);
        Parity.assertClose("m after step 2", new float[] {-0.005f, 0.21f, 0.38f}, get(m), 1e-7f, 1e-6f);
        Parity.assertClose("v after step 2", new float[] {0.00049975f, 0.009999f, 0.007996f}, get(v), 1e-9f, 2e-5f);
        Parity.assertClose("params after step 2", new float[] {0.990526315789f, -1.99494189833f, 0.48f},
                get(p), 1e-6f, 0f);
    }

    /** Warm-up over 4 steps: step 1 uses lr/4, so the first move is 0.0025 * sign(g). */
    @Test
    void adamWarmsUpTheLearningRate() {
        AdamSpec spec = new AdamSpec(0.01f, 0.9f, 0.999f, 1e-8f, 4, 0);
        Buf p = buf(1f, -2f, 0.5f);
        Buf g = buf(0.5f, -1f, 2f);
        backend.adamStep(p, g, zeros(3), zeros(3), 3, counters(0, 0, 0), spec);
        Parity.assertClose("params after warm-up step 1", new float[] {0.9975f, -1.9975f, 0.4975f}, get(p), 1e-6f, 0f);

        assertFirstMoveAt(spec, 10, 0.01); // t = 10 > 4: full lr
    }

    /**
     * One Adam step at step t from zero moments on params (1, -2, 0.5) with gradient (0.5, -1, 2):
     * m = 0.1 g, v = 0.001 g^2, so each parameter moves against its gradient's sign by
     * rate * (0.1 / (1 - 0.9^t)) / sqrt(0.001 / (1 - 0.999^t)).
     */
    private void assertFirstMoveAt(AdamSpec spec, long t, double rate) {
        Buf p = buf(1f, -2f, 0.5f);
        backend.adamStep(p, buf(0.5f, -1f, 2f), zeros(3), zeros(3), 3, counters(0, (int) (t - 1), 0), spec);
        double move = rate * (0.1 / (1 - Math.pow(0.9, t))) / Math.sqrt(0.001 / (1 - Math.pow(0.999, t)));
        Parity.assertClose("params at t=" + t + " from zero moments",
                new float[] {(float) (1 - move), (float) (-2 + move), (float) (0.5 - move)}, get(p), 1e-6f, 0f);
    }

    /** Linear decay over D = 8 steps: step t runs at lr * (8 - t + 1) / 8, and past D at the floor lr / 8. */
    @Test
    void adamDecaysTheLearningRateLinearly() {
        AdamSpec spec = new AdamSpec(0.01f, 0.9f, 0.999f, 1e-8f, 0, 8);
        for (long t : new long[] {1, 6, 8, 21}) {      // full rate, mid-way, the last decayed step, past D
            assertFirstMoveAt(spec, t, 0.01 * (8 - Math.min(t, 8) + 1) / 8.0);
        }
        assertEquals(0.01f / 8, spec.lrAt(1_000), 0f, "the rate floors at lr / D");
    }

    @Test
    void adamOverManyParametersMatchesTheScalarFormula() {
        int n = 30_011;
        AdamSpec spec = AdamSpec.standard(1e-3f);
        float[] p0 = uniform(41, n, -1, 1);
        float[] g0 = uniform(42, n, -0.1f, 0.1f);
        float[] m0 = uniform(43, n, -0.01f, 0.01f);
        float[] v0 = uniform(44, n, 0f, 1e-4f);
        Buf p = buf(p0);
        Buf m = buf(m0);
        Buf v = buf(v0);
        backend.adamStep(p, buf(g0), m, v, n, counters(0, 4, 0), spec);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            double mi = 0.9 * m0[i] + 0.1 * g0[i];
            double vi = 0.999 * v0[i] + 0.001 * (double) g0[i] * g0[i];
            double mhat = mi / (1 - Math.pow(0.9, 5));
            double vhat = vi / (1 - Math.pow(0.999, 5));
            expected[i] = (float) (p0[i] - 1e-3 * mhat / (Math.sqrt(vhat) + 1e-8));
        }
        Parity.assertClose("adam on 30011 parameters", expected, get(p), 1e-6f, 0f);
    }

    // ---- determinism and execution ---------------------------------------------------------------

    /** Runs a small training-like sequence of ops from fixed inputs and returns every output. */
    protected List<float[]> runOpSequence(Backend be) {
        List<float[]> results = new ArrayList<>();
        int b = 64, in = 300, hidden = 200, classes = 10;
        try (Buf x = be.alloc(b * in); Buf w1 = be.alloc(in * hidden); Buf b1 = be.alloc(hidden);
             Buf h = be.alloc(b * hidden); Buf w2 = be.alloc(hidden * classes); Buf s = be.alloc(2 * b * classes);
             Buf ds = be.alloc(2 * b * classes); Buf dh = be.alloc(b * hidden); Buf dw1 = be.alloc(in * hidden);
             Buf db1 = be.alloc(hidden); Buf dx = be.alloc(b * in); Buf m = be.alloc(in * hidden);
             Buf v = be.alloc(in * hidden); Buf stats = be.alloc(LossStats.SIZE);
             IntBuf labels = be.allocInt(b); IntBuf c = be.allocInt(Counters.SIZE)) {
            be.uploadInt(c, 0, new int[] {0x7FFF_FFFF, 0, 0, 0}, 0, Counters.SIZE);
            be.uniformFill(x, b * in, -1f, 1f, 99, c, 0);
            be.upload(w1, uniform(51, in * hidden, -0.1f, 0.1f));
            be.upload(b1, uniform(52, hidden, -0.1f, 0.1f));
            be.upload(w2, uniform(53, hidden * classes, -0.2f, 0.2f));
            int[] y = new int[b];
            for (int i = 0; i < b; i++) {
                y[i] = (i * 7) % classes;
            }
            be.uploadInt(labels, 0, y, 0, b);

            be.gemm(false, false, b, hidden, in, 1f, x, in, w1, hidden, 0f, h, hidden);
            be.biasElu(h, b1, b, hidden);
            be.gemm(false, false, b, classes, hidden, 1f, h, hidden, w2, classes, 0f, s, classes);
            be.gemm(false, false, b, classes, hidden, 1f, h, hidden, w2, classes, 0f,
                    s.slice(b * classes, b * classes), classes);
            be.addNoise(s.slice(b * classes, b * classes), b * classes, 0.5f, 99, c, 1);
            be.hybridLossGrad(ds, stats, s, labels, b, classes, HybridLossSpec.REFERENCE);
            be.gemm(false, true, b, hidden, classes, 1f, ds, classes, w2, classes, 0f, dh, hidden);
            be.eluBackward(dh, h, b * hidden);
            be.gemm(true, false, in, hidden, b, 1f, x, in, dh, hidden, 0f, dw1, hidden);
            be.columnSums(db1, dh, b, hidden, 0f);
            be.adamStep(w1, dw1, m, v, in * hidden, c, AdamSpec.standard(1e-3f));
            be.energyGrad(ds, null, s, b, classes, -1f);
            be.gemm(false, true, b, hidden, classes, 1f, ds, classes, w2, classes, 0f, dh, hidden);
            be.gemm(false, true, b, in, hidden, 1f, dh, hidden, w1, hidden, 0f, dx, in);
            be.increment(c, Counters.STEP_LO, 1);
            be.langevinUpdate(x, dx, b * in, 0.5f, 0.05f, 0.01f, 99, c, 2);
            be.clamp(x, b * in, -1f, 1f);
            for (Buf out : new Buf[] {h, s, ds, dh, dw1, db1, dx, w1, m, v, stats, x}) {
                results.add(be.download(out));
            }
        }
        return results;
    }

    @Test
    void theSameOpsGiveTheSameBitsTwice() {
        List<float[]> first = runOpSequence(backend);
        List<float[]> second = runOpSequence(backend);
        for (int i = 0; i < first.size(); i++) {
            Parity.assertBitEqual("output " + i + " of the op sequence", first.get(i), second.get(i));
        }
        assertTrue(first.get(7).length > 0);
    }

    @Test
    void repeatableBodiesTakeEffectOnEveryCall() {
        IntBuf c = counters(0, 0, 0);
        Runnable body = () -> backend.increment(c, Counters.ADAM_T, 1);
        backend.repeatable("bump", body);
        backend.repeatable("bump", body);
        backend.repeatable("bump", body);
        backend.synchronize();
        assertEquals(3, backend.downloadInt(c)[Counters.ADAM_T]);
    }

    /** The key names a cache slot only: each call runs with its own buffers and host values. */
    @Test
    void repeatableRunsWithTheArgumentsOfEachCall() {
        Buf first = zeros(40), second = zeros(40);
        Buf[] target = {first};
        float[] value = {1f};
        Runnable body = () -> backend.fill(target[0], 40, value[0]);
        backend.repeatable("fill", body);
        target[0] = second;
        value[0] = 2f;
        backend.repeatable("fill", body);
        float[] ones = new float[40], twos = new float[40];
        java.util.Arrays.fill(ones, 1f);
        java.util.Arrays.fill(twos, 2f);
        Parity.assertBitEqual("the first call's buffer, untouched by the second", ones, get(first));
        Parity.assertBitEqual("the second call's buffer and value", twos, get(second));
    }

    @Test
    void timerReportsNamedPhases() {
        PhaseTimer timer = backend.timer();
        timer.begin("fill");
        backend.fill(zeros(1000), 1000, 1f);
        timer.end("fill");
        Map<String, Double> ms = timer.drainMillis();
        assertTrue(ms.containsKey("fill"), "phases: " + ms);
        assertTrue(ms.get("fill") >= 0);
    }

    @Test
    void describesItself() {
        assertFalse(backend.name().isBlank());
        assertFalse(backend.describe().isBlank());
    }

    /**
     * Size checks every backend makes on the host, before touching memory; subclasses call this
     * from their own argument-check test and add the checks particular to them.
     */
    protected void assertSizeChecksThatNeedNoDeviceReads() {
        Buf a = zeros(7 * 29);
        Buf b = zeros(29 * 13);
        Buf c = zeros(7 * 13);
        expectBadArgument("gemm", () -> backend.gemm(false, false, 7, 13, 29, 1f, a, 28, b, 13, 0f, c, 13));
        expectBadArgument("gemm", () -> backend.gemm(false, false, 7, 14, 29, 1f, a, 29, b, 14, 0f, c, 14));
        expectBadArgument("gemm", () -> backend.gemm(true, false, 7, 13, 29, 1f, a, 7, b, 13, 0f, c.slice(1, 90), 13));
        expectBadArgument("gemm", () -> backend.gemm(false, false, -1, 13, 29, 1f, a, 29, b, 13, 0f, c, 13));
        expectBadArgument("biasElu", () -> backend.biasElu(c, zeros(12), 7, 13));
        // a bias one short, then an ELU output one row short, at a shape the CPU's fused kernel takes
        Buf wide = zeros(7 * 40);
        expectBadArgument(() -> backend.gemmBiasElu(wide, a, zeros(40 * 29), zeros(39), 7, 40, 29),
                "gemmBiasElu", "biasElu");
        expectBadArgument(() -> backend.gemmEluBackward(zeros(7 * 40), wide, zeros(29 * 40), zeros(6 * 40), 7, 29, 40),
                "gemmEluBackward", "eluBackward");
        expectBadArgument("fill", () -> backend.fill(c, 7 * 13 + 1, 0f));
        expectBadArgument("copy", () -> backend.copy(c, new ForeignBuf(), 3));
        expectBadArgument("langevinUpdate", () -> backend.langevinUpdate(c, c, 91, 0.1f, 0.1f, 0f, 1, ints(0), 0));
    }

    /**
     * Asserts that {@code call} throws IllegalArgumentException whose message starts with "op:" for
     * one of {@code ops}: a fused op may report itself or the op of its own that found the fault.
     */
    protected static void expectBadArgument(org.junit.jupiter.api.function.Executable call, String... ops) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
        assertTrue(Arrays.stream(ops).anyMatch(op -> e.getMessage().startsWith(op + ":")), e.getMessage());
    }

    /** Asserts that {@code call} throws IllegalArgumentException whose message starts with "op:". */
    protected static void expectBadArgument(String op, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(op + ":"), e.getMessage());
    }

    /** A Buf from some other backend. */
    protected static final class ForeignBuf implements Buf {
        @Override
        public long size() {
            return 100;
        }

        @Override
        public Buf slice(long offset, long length) {
            return this;
        }

        @Override
        public void close() {}
    }
}
