package ebm4j.compute.cpu;

import ebm4j.compute.AdamSpec;
import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.HybridLossSpec;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.compute.Patches;
import ebm4j.compute.PhaseTimer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference backend: plain Java over off-heap buffers, all cores, OpenBLAS (or a Vector API
 * kernel) for the products. Every op is synchronous.
 *
 * <p>Parallelism: each op is cut into at most {@code threads} contiguous ranges whose boundaries
 * depend only on the sizes and the thread count (see {@link Split}); part 0 runs on the calling
 * thread, the others on a persistent {@link WorkerPool}. Products split over the longer side of
 * C (rows or columns, see {@link #gemm}), elementwise ops over index ranges, column sums over
 * columns; reductions across rows run in a fixed order on one thread.
 * Results are therefore bit-identical run to run for a fixed thread count. Ops too small to repay
 * a hand-off run on the caller alone.
 *
 * <p>One thread at a time submits ops, as with a CUDA stream. Buffers outlive the backend: close
 * them yourself (or leave them to the garbage collector); {@link #close()} stops the workers.
 */
public final class CpuBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(CpuBackend.class);
    /** System property overriding the number of threads (default: available processors). */
    public static final String THREADS_PROPERTY = "ebm4j.threads";

    // Minimum work per part before an op is split: below these a worker hand-off (~1 us when the
    // worker is spinning) costs more than it saves. Figures are elements per part unless noted.
    /** Cheap float ops (add, multiply, compare): ~1 ns each. */
    private static final int MIN_CHEAP = 16_384;
    /** ELU (an exp per negative element), Adam (a sqrt and two divisions). */
    private static final int MIN_MATH = 4_096;
    /** Philox draws: ~10-20 ns per element. */
    private static final int MIN_RANDOM = 1_024;
    /** Score rows in energyGrad, counted as row*classes elements (a few exps each). */
    private static final int MIN_SOFTMAX = 4_096;
    /** Products: multiply-adds per part (~2 us at OpenBLAS speed). */
    private static final long GEMM_MIN_MACS = 1L << 17;
    /** Products with a side shorter than this run on one thread. */
    private static final int GEMM_MIN_SIDE = 32;
    /** Row ranges of a split product are whole register tiles of the Java kernel. */
    private static final int GEMM_ROW_ALIGN = VectorGemm.MR;
    /** Column ranges of a split product are whole panels of the Java kernel. */
    private static final int GEMM_COL_ALIGN = VectorGemm.NR;
    /** Adam's elements per bulk copy (four arrays of this many floats: 32 KB, in L1/L2). */
    private static final int ADAM_CHUNK = 2048;
    /** Index ranges start on multiples of 16 floats: 64 bytes, 4 Philox blocks. */
    private static final int ALIGN = 16;

    private final int threads;
    private final Gemm gemm;
    private final String gemmDescription;
    private final WorkerPool pool;
    private final Scratch[] scratch;
    /** Weight packs of {@link PackedGemm}, valid while their buffers are unchanged. */
    private final PackCache packs = new PackCache();
    /** A's pack for {@link PackedGemm}, shared by the parts of one product. */
    private float[] packedA = new float[0];
    /** Warns when the layer products run at the Vector API's fallback speed. */
    private final KernelSpeedWatch speedWatch = new KernelSpeedWatch(log::warn);
    private volatile boolean closed;

    /** Threads from {@value #THREADS_PROPERTY} (else all processors), GEMM from {@value GemmChoice#PROPERTY}. */
    public CpuBackend() {
        this(defaultThreads(), GemmChoice.fromSystemProperty());
    }

    /**
     * @param threads parts each op may be split into (the calling thread plus threads-1 workers)
     * @param choice  which SGEMM to use
     * @throws IllegalStateException when {@code choice} is OPENBLAS and OpenBLAS does not load
     */
    public CpuBackend(int threads, GemmChoice choice) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        GemmSelection selection = GemmSelection.open(Objects.requireNonNull(choice, "choice"), threads);
        this.gemm = selection.gemm();
        this.gemmDescription = selection.describe();
        this.scratch = new Scratch[threads];
        for (int i = 0; i < threads; i++) {
            scratch[i] = new Scratch();
        }
        this.pool = new WorkerPool(threads);
    }

    /** The value of {@value #THREADS_PROPERTY}, else {@link Runtime#availableProcessors()}. */
    public static int defaultThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("-D" + THREADS_PROPERTY + " must be a positive integer, got '" + value + "'");
    }

    /** Number of parts an op may be split into. */
    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String describe() {
        return "cpu: " + threads + (threads == 1 ? " thread" : " threads") + ", GEMM " + gemmDescription
                + "; layer products by " + PackedGemm.describe()
                // the JVM matters here: how well C2 compiles the Vector API differs between releases
                + "; Java " + Runtime.version();
    }

    // ---- memory -------------------------------------------------------------------------

    @Override
    public CpuBuf alloc(long n) {
        checkOpen();
        // Three positioned-view slots per part: A, B and C of a sub-product.
        return new CpuBuf(n, 3 * threads);
    }

    @Override
    public CpuIntBuf allocInt(long n) {
        checkOpen();
        return new CpuIntBuf(n);
    }

    @Override
    public void upload(Buf dst, long dstOff, float[] src, int srcOff, int n) {
        CpuBuf d = output("upload", "dst", dst, range(dstOff, n));
        Objects.checkFromIndexSize(srcOff, n, src.length);
        d.data().put(d.base() + (int) dstOff, src, srcOff, n);
    }

    @Override
    public void uploadInt(IntBuf dst, long dstOff, int[] src, int srcOff, int n) {
        CpuIntBuf d = ints("uploadInt", "dst", dst, range(dstOff, n));
        Objects.checkFromIndexSize(srcOff, n, src.length);
        d.data().put(d.base() + (int) dstOff, src, srcOff, n);
    }

    @Override
    public void download(float[] dst, int dstOff, Buf src, long srcOff, int n) {
        CpuBuf s = floats("download", "src", src, range(srcOff, n));
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        s.data().get(s.base() + (int) srcOff, dst, dstOff, n);
    }

    @Override
    public void downloadInt(int[] dst, int dstOff, IntBuf src, long srcOff, int n) {
        CpuIntBuf s = ints("downloadInt", "src", src, range(srcOff, n));
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        s.data().get(s.base() + (int) srcOff, dst, dstOff, n);
    }

    /** x[0..n) = value. */
    @Override
    public void fill(Buf x, long n, float value) {
        int len = count("fill", n);
        CpuBuf xb = output("fill", "x", x, len);
        FloatBuffer xd = xb.data();
        int base = xb.base();
        forRange(len, MIN_CHEAP, (p, from, to) -> ElementwiseKernels.fill(xd, base, from, to, value));
    }

    /** dst[0..n) = src[0..n), one bulk copy (memory-bound: a second thread does not help). */
    @Override
    public void copy(Buf dst, Buf src, long n) {
        int len = count("copy", n);
        CpuBuf d = output("copy", "dst", dst, len);
        CpuBuf s = floats("copy", "src", src, len);
        d.data().put(d.base(), s.data(), s.base(), len);
    }

    // ---- linear algebra -------------------------------------------------------------------

    /**
     * Row-major C:(m,n) = alpha * op(A):(m,k) * op(B):(k,n) + beta * C; A is stored (k,m) when
     * transA, B (n,k) when transB; lda/ldb/ldc are stored row strides. beta == 0 overwrites C
     * (NaN in C does not survive); k == 0 gives C = beta * C.
     *
     * <p>Split into sub-products over rows of C when m > n, else over columns. Each part packs
     * the whole of the operand it does not split (op(B) for a row split, op(A) for a column
     * split), so splitting along the longer side of C duplicates the smaller packing: at B = 64
     * the forward and backward-data products (64 x 512..784) ran at ~100 GF/s on 2 cores split by
     * columns against ~79 split by rows (OpenBLAS, this 2-core EPYC). With transA a row range of C
     * is a column range of stored A, so A's offset moves by r0 rather than r0*lda; with transB a
     * column range of C is a row range of stored B.
     */
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Buf a, int lda, Buf b, int ldb, float beta, Buf c, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        CpuBuf ab = matrix("gemm", "A", "lda", a, transA ? k : m, transA ? m : k, lda);
        CpuBuf bb = matrix("gemm", "B", "ldb", b, transB ? n : k, transB ? k : n, ldb);
        CpuBuf cb = matrix("gemm", "C", "ldc", c, m, n, ldc);
        cb.modified();
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scaleMatrix(cb, m, n, ldc, beta);
            return;
        }
        if (PackedGemm.takes(transA, m, n, k, beta)) {
            packedGemm(transB, m, n, k, alpha, ab, lda, bb, ldb, cb, ldc, null);
            return;
        }
        long macs = (long) m * n * k;
        // A product with a side of a few elements (the 10-class layer) is bound by memory and call
        // overhead, not arithmetic: split in two it took ~4x as long as on one thread.
        int work = Math.min(m, Math.min(n, k)) < GEMM_MIN_SIDE ? 1 : Split.parts(macs, GEMM_MIN_MACS, threads);
        boolean byRows = m > n;
        int parts = Math.max(1, Math.min(work, byRows ? m / (2 * GEMM_ROW_ALIGN) : n / GEMM_COL_ALIGN));
        pool.run(parts, p -> {
            int r0 = 0, r1 = m, c0 = 0, c1 = n;
            if (byRows) {
                r0 = Split.start(m, parts, GEMM_ROW_ALIGN, p);
                r1 = Split.start(m, parts, GEMM_ROW_ALIGN, p + 1);
            } else {
                c0 = Split.start(n, parts, GEMM_COL_ALIGN, p);
                c1 = Split.start(n, parts, GEMM_COL_ALIGN, p + 1);
            }
            if (r0 == r1 || c0 == c1) {
                return;
            }
            FloatBuffer av = ab.positioned(3 * p, transA ? r0 : r0 * lda);
            FloatBuffer bv = bb.positioned(3 * p + 1, transB ? c0 * ldb : c0);
            FloatBuffer cv = cb.positioned(3 * p + 2, r0 * ldc + c0);
            gemm.sgemm(p, transA, transB, r1 - r0, c1 - c0, k, alpha, av, lda, bv, ldb, beta, cv, ldc);
        });
    }

    /**
     * C = alpha * A . op(B) through {@link PackedGemm}: op(B) is packed once per version of its
     * buffer (the packing split over columns like the product itself), A is packed for each call
     * (split over row tiles, then one hand-off), then each part computes whole panels of C.
     */
    private void packedGemm(boolean transB, int m, int n, int k, float alpha, CpuBuf a, int lda, CpuBuf b,
                            int ldb, CpuBuf c, int ldc, PackedGemm.Epilogue epilogue) {
        long start = System.nanoTime();
        PackedGemm.PackedB pack = packs.get(b, transB, ldb, k, n);
        long version = b.version();
        boolean repack = pack.version != version;
        int tiles = PackedGemm.tiles(m);
        if (packedA.length < PackedGemm.packedASize(m, k)) {
            packedA = new float[PackedGemm.packedASize(m, k)];
        }
        float[] ap = packedA;
        FloatBuffer ad = a.data(), bd = b.data(), cd = c.data();
        int aBase = a.base(), bBase = b.base(), cBase = c.base();
        int packParts = Math.min(tiles, Split.parts((long) m * k, MIN_CHEAP, threads));
        pool.run(packParts, p -> PackedGemm.packA(ad, aBase, lda, m, k, ap, Split.start(tiles, packParts, 1, p),
                Split.start(tiles, packParts, 1, p + 1), scratch[p].gemmRows(PackedGemm.depth(k))));
        int panels = pack.panels;
        int parts = Math.max(1, Math.min(panels, Split.parts((long) m * n * k, GEMM_MIN_MACS, threads)));
        pool.run(parts, p -> {
            int p0 = Split.start(panels, parts, 1, p), p1 = Split.start(panels, parts, 1, p + 1);
            if (p0 == p1) {
                return;
            }
            if (repack) {
                PackedGemm.packB(bd, bBase, ldb, transB, pack, p0, p1, scratch[p].gemmRows(Math.max(n, k)));
            }
            int width = (p1 - p0) * PackedGemm.NR;
            PackedGemm.multiply(ap, tiles, pack, p0, p1, alpha, cd, cBase, ldc, m,
                    scratch[p].gemmWork(tiles * PackedGemm.MR * width), epilogue,
                    epilogue == null ? null : scratch[p].floats(width));
        });
        pack.version = version;
        speedWatch.record((long) m * n * k, System.nanoTime() - start);
    }

    /**
     * out:(rows,n) = elu(in:(rows,k) . weight:(n,k)^T + bias:(n)): the products the Java kernel
     * takes apply the bias and ELU to each part's block of out before it leaves the cache (the
     * same {@link ElementwiseKernels#biasEluInPlace} as {@link #biasElu}, so the same bits as the
     * two ops one after the other); others run the two ops.
     */
    @Override
    public void gemmBiasElu(Buf out, Buf in, Buf weight, Buf bias, int rows, int n, int k) {
        if (rows <= 0 || !PackedGemm.takes(false, rows, n, k, 0f)) {
            Backend.super.gemmBiasElu(out, in, weight, bias, rows, n, k);
            return;
        }
        CpuBuf ib = matrix("gemmBiasElu", "in", "k", in, rows, k, k);
        CpuBuf wb = matrix("gemmBiasElu", "weight", "k", weight, n, k, k);
        CpuBuf ob = matrix("gemmBiasElu", "out", "n", out, rows, n, n);
        CpuBuf bb = floats("gemmBiasElu", "bias", bias, n);
        ob.modified();
        FloatBuffer bd = bb.data();
        int bBase = bb.base();
        packedGemm(true, rows, n, k, 1f, ib, k, wb, k, ob, n, (block, width, m, col0, cols, row) -> {
            bd.get(bBase + col0, row, 0, cols);
            for (int r = 0; r < m; r++) {
                ElementwiseKernels.biasEluInPlace(block, r * width, row, 0, cols);
            }
        });
    }

    /**
     * dIn:(rows,k) = (dOut:(rows,n) . weight:(n,k)) * elu'(act:(rows,k)), act the ELU output of the
     * layer below: fused like {@link #gemmBiasElu} (the same {@link
     * ElementwiseKernels#eluBackwardInPlace} as {@link #eluBackward}, so the same bits).
     */
    @Override
    public void gemmEluBackward(Buf dIn, Buf dOut, Buf weight, Buf act, int rows, int n, int k) {
        if (rows <= 0 || !PackedGemm.takes(false, rows, k, n, 0f)) {
            Backend.super.gemmEluBackward(dIn, dOut, weight, act, rows, n, k);
            return;
        }
        CpuBuf gb = matrix("gemmEluBackward", "dOut", "n", dOut, rows, n, n);
        CpuBuf wb = matrix("gemmEluBackward", "weight", "k", weight, n, k, k);
        CpuBuf db = matrix("gemmEluBackward", "dIn", "k", dIn, rows, k, k);
        CpuBuf ab = matrix("gemmEluBackward", "act", "k", act, rows, k, k);
        db.modified();
        FloatBuffer ad = ab.data();
        int aBase = ab.base();
        packedGemm(false, rows, k, n, 1f, gb, n, wb, k, db, k, (block, width, m, col0, cols, row) -> {
            for (int r = 0; r < m; r++) {
                ad.get(aBase + r * k + col0, row, 0, cols);
                ElementwiseKernels.eluBackwardInPlace(block, r * width, row, 0, cols);
            }
        });
    }

    /** C = beta * C (beta == 0 writes zeros): the k == 0 product. */
    private static void scaleMatrix(CpuBuf c, int m, int n, int ldc, float beta) {
        FloatBuffer d = c.data();
        for (int r = 0; r < m; r++) {
            for (int j = 0; j < n; j++) {
                int i = c.base() + r * ldc + j;
                d.put(i, beta == 0f ? 0f : beta * d.get(i));
            }
        }
    }

    /**
     * out:(rows,cols) = elu(out + bias:(cols)), in place, ELU alpha 1: x > 0 ? x : expm1(x) with
     * x = out + bias in float. Results below 1e-30 in magnitude are flushed to 0 (subnormals
     * slow the next product down by an order of magnitude; see {@link ElementwiseKernels#FLUSH_BELOW}).
     */
    @Override
    public void biasElu(Buf out, Buf bias, int rows, int cols) {
        int len = shape("biasElu", rows, cols);
        CpuBuf o = output("biasElu", "out", out, len);
        CpuBuf bb = floats("biasElu", "bias", bias, cols);
        FloatBuffer od = o.data();
        FloatBuffer bd = bb.data();
        int ob = o.base();
        int base = bb.base();
        forRows(rows, cols, MIN_MATH, (p, from, to) ->
                ElementwiseKernels.biasElu(od, ob, bd, base, cols, from, to, scratch[p].floats(2 * cols)));
    }

    /** out:(rows,cols) += bias:(cols), in place. */
    @Override
    public void addBias(Buf out, Buf bias, int rows, int cols) {
        int len = shape("addBias", rows, cols);
        CpuBuf o = output("addBias", "out", out, len);
        CpuBuf bb = floats("addBias", "bias", bias, cols);
        FloatBuffer od = o.data();
        FloatBuffer bd = bb.data();
        int ob = o.base();
        int base = bb.base();
        forRows(rows, cols, MIN_CHEAP, (p, from, to) -> ElementwiseKernels.addBias(od, ob, bd, base, cols, from, to));
    }

    /** grad:(n) *= (out > 0 ? 1 : out + 1), in place; out:(n) is the ELU output. */
    @Override
    public void eluBackward(Buf grad, Buf out, long n) {
        int len = count("eluBackward", n);
        CpuBuf g = output("eluBackward", "grad", grad, len);
        CpuBuf o = floats("eluBackward", "out", out, len);
        FloatBuffer gd = g.data();
        FloatBuffer od = o.data();
        int gb = g.base();
        int ob = o.base();
        forRange(len, MIN_CHEAP, (p, from, to) ->
                ElementwiseKernels.eluBackward(gd, gb, od, ob, from, to, scratch[p].chunkX, scratch[p].chunkG));
    }

    /**
     * out:(cols) = sum over rows of in:(rows,cols) + beta * out. Each column is summed in float
     * from 0 over rows 0, 1, ... in order, then beta*out is added (beta == 0 overwrites). Split
     * over column ranges, so the order is the same for every thread count.
     */
    @Override
    public void columnSums(Buf out, Buf in, int rows, int cols, float beta) {
        int len = shape("columnSums", rows, cols);
        CpuBuf o = output("columnSums", "out", out, cols);
        CpuBuf i = floats("columnSums", "in", in, len);
        FloatBuffer od = o.data();
        FloatBuffer id = i.data();
        int ob = o.base();
        int ib = i.base();
        int minCols = Math.max(ALIGN, MIN_CHEAP / Math.max(1, rows));
        forRange(cols, minCols, (p, from, to) ->
                ElementwiseKernels.columnSums(od, ob, id, ib, rows, cols, beta, from, to,
                        scratch[p].floats(to - from)));
    }

    // ---- energies and losses --------------------------------------------------------------

    /**
     * Per row of scores:(rows,classes): dScores:(rows,classes) = sign * softmax(row) and, unless
     * energy is null, energy:(rows) = sign * LogSumExp(row). Computed in double with the row max
     * subtracted; dScores entries below 1e-30 are flushed to 0.
     */
    @Override
    public void energyGrad(Buf dScores, Buf energy, Buf scores, int rows, int classes, float sign) {
        int len = shape("energyGrad", rows, classes);
        CpuBuf d = output("energyGrad", "dScores", dScores, len);
        CpuBuf s = floats("energyGrad", "scores", scores, len);
        CpuBuf e = energy == null ? null : output("energyGrad", "energy", energy, rows);
        FloatBuffer dd = d.data();
        FloatBuffer sd = s.data();
        FloatBuffer ed = e == null ? null : e.data();
        int db = d.base();
        int sb = s.base();
        int eb = e == null ? 0 : e.base();
        forRows(rows, classes, MIN_SOFTMAX, (p, from, to) ->
                LossKernels.energyGrad(dd, db, ed, eb, sd, sb, classes, sign, from, to));
    }

    /**
     * scores:(2B,C), rows [0,B) real with labels:(B), rows [B,2B) sampled; writes dScores:(2B,C)
     * and adds this batch's statistics into stats:(8) (see {@link LossStats} and
     * {@link LossKernels#hybridLoss}). Runs on the calling thread: it is 2B x C (about 1k values),
     * and one thread keeps the statistics' summation order fixed.
     */
    @Override
    public void hybridLossGrad(Buf dScores, Buf stats, Buf scores, IntBuf labels, int batch, int classes,
                               HybridLossSpec spec) {
        if (batch < 1 || classes < 1) {
            throw new IllegalArgumentException("hybridLossGrad: need batch >= 1 and classes >= 1, got "
                    + batch + ", " + classes);
        }
        int len = shape("hybridLossGrad", 2 * batch, classes);
        CpuBuf d = output("hybridLossGrad", "dScores", dScores, len);
        CpuBuf t = output("hybridLossGrad", "stats", stats, LossStats.SIZE);
        CpuBuf s = floats("hybridLossGrad", "scores", scores, len);
        CpuIntBuf l = ints("hybridLossGrad", "labels", labels, batch);
        LossKernels.hybridLoss(d.data(), d.base(), t.data(), t.base(), s.data(), s.base(),
                l.data(), l.base(), batch, classes, Objects.requireNonNull(spec, "spec"));
    }

    // ---- sampling ----------------------------------------------------------------------------

    /** x[0..n) = lo + (hi - lo) * U_i, element i of Philox's uniform stream (seed, step, stream). */
    @Override
    public void uniformFill(Buf x, long n, float lo, float hi, long seed, IntBuf counters, int stream) {
        int len = count("uniformFill", n);
        CpuBuf xb = output("uniformFill", "x", x, len);
        PhiloxKernels.Key key = philoxKey("uniformFill", counters, seed, stream);
        FloatBuffer xd = xb.data();
        int base = xb.base();
        forRange(len, MIN_RANDOM, (p, from, to) ->
                PhiloxKernels.uniform(xd, base, from, to, lo, hi, key, scratch[p]));
    }

    /**
     * x[0..n) = (x - alpha * clip(grad)) + sigma * z_i, z_i element i of Philox's normal stream;
     * clip to [-gradClip, gradClip] when gradClip > 0. Float, in that order, no fused multiply-add
     * (see {@link PhiloxKernels#langevin}).
     */
    @Override
    public void langevinUpdate(Buf x, Buf grad, long n, float alpha, float sigma, float gradClip,
                               long seed, IntBuf counters, int stream) {
        int len = count("langevinUpdate", n);
        CpuBuf xb = output("langevinUpdate", "x", x, len);
        CpuBuf gb = floats("langevinUpdate", "grad", grad, len);
        PhiloxKernels.Key key = philoxKey("langevinUpdate", counters, seed, stream);
        FloatBuffer xd = xb.data();
        FloatBuffer gd = gb.data();
        int xbase = xb.base();
        int gbase = gb.base();
        forRange(len, MIN_RANDOM, (p, from, to) ->
                PhiloxKernels.langevin(xd, xbase, gd, gbase, from, to, alpha, sigma, gradClip, key, scratch[p]));
    }

    /** x[0..n) = x + sigma * z_i, z_i element i of Philox's normal stream. */
    @Override
    public void addNoise(Buf x, long n, float sigma, long seed, IntBuf counters, int stream) {
        int len = count("addNoise", n);
        CpuBuf xb = output("addNoise", "x", x, len);
        PhiloxKernels.Key key = philoxKey("addNoise", counters, seed, stream);
        FloatBuffer xd = xb.data();
        int base = xb.base();
        forRange(len, MIN_RANDOM, (p, from, to) ->
                PhiloxKernels.addNoise(xd, base, from, to, sigma, key, scratch[p]));
    }

    /** x[0..n) = min(max(x, lo), hi), in place; NaN stays NaN. */
    @Override
    public void clamp(Buf x, long n, float lo, float hi) {
        int len = count("clamp", n);
        CpuBuf xb = output("clamp", "x", x, len);
        FloatBuffer xd = xb.data();
        int base = xb.base();
        forRange(len, MIN_CHEAP, (p, from, to) -> ElementwiseKernels.clamp(xd, base, lo, hi, from, to));
    }

    // ---- data ----------------------------------------------------------------------------------

    /**
     * out:(rows,cols) row r = table:(*,cols) row perm[cursor + r], labelsOut:(rows) likewise from
     * labels; cursor = counters[CURSOR]. Does not advance the cursor. Indices are checked.
     */
    @Override
    public void gatherRows(Buf out, IntBuf labelsOut, Buf table, IntBuf labels, IntBuf perm,
                           IntBuf counters, int rows, int cols) {
        int len = shape("gatherRows", rows, cols);
        CpuBuf o = output("gatherRows", "out", out, len);
        CpuBuf t = floats("gatherRows", "table", table, 0);
        CpuIntBuf c = ints("gatherRows", "counters", counters, Counters.SIZE);
        int cursor = c.get(Counters.CURSOR);
        CpuIntBuf pm = ints("gatherRows", "perm", perm, 0);
        if (cursor < 0 || (long) cursor + rows > pm.size()) {
            throw new IllegalArgumentException("gatherRows: cursor " + cursor + " + " + rows
                    + " rows is outside a permutation of " + pm.size());
        }
        CpuIntBuf lo = labelsOut == null ? null : ints("gatherRows", "labelsOut", labelsOut, rows);
        CpuIntBuf li = lo == null ? null : ints("gatherRows", "labels", labels, 0);
        long tableRows = cols == 0 ? 0 : t.size() / cols;
        FloatBuffer od = o.data();
        FloatBuffer td = t.data();
        for (int r = 0; r < rows; r++) {
            int src = pm.get(cursor + r);
            if (src < 0 || src >= tableRows || (li != null && src >= li.size())) {
                throw new IllegalArgumentException("gatherRows: perm[" + (cursor + r) + "] = " + src
                        + " is outside a table of " + tableRows + " rows");
            }
            od.put(o.base() + r * cols, td, t.base() + src * cols, cols);
            if (lo != null) {
                lo.set(r, li.get(src));
            }
        }
    }

    /**
     * table:(*,cols) row index[cursor + r] = src:(rows,cols) row r; cursor = counters[CURSOR].
     * Indices are checked, and so is that no table row is written twice (the CUDA twin writes rows
     * in parallel, so a repeated row would have no defined value there).
     */
    @Override
    public void scatterRows(Buf table, Buf src, IntBuf index, IntBuf counters, int rows, int cols) {
        int len = shape("scatterRows", rows, cols);
        CpuBuf t = output("scatterRows", "table", table, 0);
        CpuBuf s = floats("scatterRows", "src", src, len);
        CpuIntBuf c = ints("scatterRows", "counters", counters, Counters.SIZE);
        CpuIntBuf ix = ints("scatterRows", "index", index, 0);
        int cursor = c.get(Counters.CURSOR);
        if (cursor < 0 || (long) cursor + rows > ix.size()) {
            throw new IllegalArgumentException("scatterRows: cursor " + cursor + " + " + rows
                    + " rows is outside an index of " + ix.size());
        }
        long tableRows = cols == 0 ? 0 : t.size() / cols;
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) {
            int dst = ix.get(cursor + r);
            if (dst < 0 || dst >= tableRows) {
                throw new IllegalArgumentException("scatterRows: index[" + (cursor + r) + "] = " + dst
                        + " is outside a table of " + tableRows + " rows");
            }
            targets[r] = dst;
        }
        int[] sorted = targets.clone();
        Arrays.sort(sorted);
        for (int r = 1; r < rows; r++) {
            if (sorted[r] == sorted[r - 1]) {
                throw new IllegalArgumentException("scatterRows: table row " + sorted[r] + " is written twice");
            }
        }
        FloatBuffer td = t.data();
        FloatBuffer sd = s.data();
        for (int r = 0; r < rows; r++) {
            td.put(t.base() + targets[r] * cols, sd, s.base() + r * cols, cols);
        }
    }

    /**
     * counters[index] += delta. At {@link Counters#STEP_LO} the pair (STEP_LO, STEP_HI) is one
     * unsigned 64-bit step and the carry goes into STEP_HI.
     */
    @Override
    public void increment(IntBuf counters, int index, int delta) {
        CpuIntBuf c = ints("increment", "counters", counters, index == Counters.STEP_LO ? Counters.STEP_HI + 1 : 0);
        if (index < 0 || index >= c.size()) {
            throw new IllegalArgumentException("increment: index " + index + " outside counters of " + c.size());
        }
        if (index == Counters.STEP_LO) {
            long step = (c.get(Counters.STEP_LO) & 0xFFFFFFFFL) | ((long) c.get(Counters.STEP_HI) << 32);
            step += delta;
            c.set(Counters.STEP_LO, (int) step);
            c.set(Counters.STEP_HI, (int) (step >>> 32));
        } else {
            c.set(index, c.get(index) + delta);
        }
    }

    // ---- images ---------------------------------------------------------------------------------

    /** Patches as rows (see Backend#im2col); split by rows of cols. */
    @Override
    public void im2col(Buf cols, Buf x, Patches p, int batch) {
        int rows = shape("im2col", batch, p.positions());
        CpuBuf c = floats("im2col", "cols", cols, (long) rows * p.patchSize());
        CpuBuf xb = floats("im2col", "x", x, (long) batch * p.pixels());
        FloatBuffer cd = c.data(), xd = xb.data();
        forRows(rows, p.patchSize(), MIN_CHEAP, (part, from, to) ->
                ImageKernels.im2col(cd, c.base(), xd, xb.base(), p, from, to));
    }

    /** The adjoint of im2col (see Backend#col2im); split by image lines of dx. */
    @Override
    public void col2im(Buf dx, Buf dcols, Patches p, int batch) {
        int lines = shape("col2im", batch, p.height());
        CpuBuf d = floats("col2im", "dx", dx, (long) batch * p.pixels());
        CpuBuf c = floats("col2im", "dcols", dcols, (long) batch * p.positions() * p.patchSize());
        FloatBuffer dd = d.data(), cd = c.data();
        forRows(lines, p.width() * p.channels() * p.kernelH() * p.kernelW(), MIN_CHEAP, (part, from, to) ->
                ImageKernels.col2im(dd, d.base(), cd, c.base(), p, from, to));
    }

    /** Random translation per row (see Backend#shiftImages). */
    @Override
    public void shiftImages(Buf out, Buf in, int rows, int height, int width, int channels, int maxShift, float fill,
                            long seed, IntBuf counters, int stream) {
        if (height < 1 || width < 1 || channels < 1 || maxShift < 0) {
            throw new IllegalArgumentException("shiftImages: bad shape " + height + "x" + width + "x" + channels
                    + " or shift " + maxShift);
        }
        int pixels = count("shiftImages", (long) height * width * channels);
        shape("shiftImages", rows, pixels);
        CpuBuf o = floats("shiftImages", "out", out, (long) rows * pixels);
        CpuBuf i = floats("shiftImages", "in", in, (long) rows * pixels);
        CpuIntBuf c = ints("shiftImages", "counters", counters, Counters.STEP_HI + 1);
        long step = (c.get(Counters.STEP_LO) & 0xFFFFFFFFL) | ((long) c.get(Counters.STEP_HI) << 32);
        FloatBuffer od = o.data(), id = i.data();
        forRows(rows, pixels, MIN_CHEAP, (part, from, to) -> ImageKernels.shift(od, o.base(), id, i.base(), height,
                width, channels, maxShift, fill, seed, step, stream, from, to));
    }

    // ---- optimiser -------------------------------------------------------------------------------

    /**
     * Adam over params/grads/m/v:(n), step t = counters[ADAM_T] + 1 (not incremented here); the
     * float expression order is spelled out in {@link AdamKernel}.
     */
    @Override
    public void adamStep(Buf params, Buf grads, Buf m, Buf v, long n, IntBuf counters, AdamSpec spec) {
        int len = count("adamStep", n);
        CpuBuf pb = output("adamStep", "params", params, len);
        CpuBuf gb = floats("adamStep", "grads", grads, len);
        CpuBuf mb = output("adamStep", "m", m, len);
        CpuBuf vb = output("adamStep", "v", v, len);
        CpuIntBuf c = ints("adamStep", "counters", counters, Counters.ADAM_T + 1);
        long t = c.get(Counters.ADAM_T) + 1L;
        if (t < 1) {
            throw new IllegalArgumentException("adamStep: counters[ADAM_T] is negative: " + (t - 1));
        }
        AdamKernel kernel = new AdamKernel(Objects.requireNonNull(spec, "spec"), t);
        FloatBuffer pd = pb.data();
        FloatBuffer gd = gb.data();
        FloatBuffer md = mb.data();
        FloatBuffer vd = vb.data();
        int pbase = pb.base();
        int gbase = gb.base();
        int mbase = mb.base();
        int vbase = vb.base();
        forRange(len, MIN_MATH, (p, from, to) ->
                kernel.step(pd, pbase, gd, gbase, md, mbase, vd, vbase, from, to, scratch[p].floats(4 * ADAM_CHUNK)));
    }

    // ---- execution ------------------------------------------------------------------------------

    /** Runs the body: CPU ops need no capture. */
    @Override
    public void repeatable(String key, Runnable body) {
        checkOpen();
        body.run();
    }

    /** Nothing to wait for: every CPU op has finished when it returns. */
    @Override
    public void synchronize() {
        checkOpen();
    }

    /** A new, independent timer on the host clock (ops are synchronous, so that is compute time). */
    @Override
    public PhaseTimer timer() {
        return new CpuPhaseTimer();
    }

    /** Stops the worker threads; idempotent. Buffers are not freed (they close on their own). */
    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    // ---- splitting ------------------------------------------------------------------------------

    /** One part's share of an op: indices [from, to). */
    @FunctionalInterface
    private interface RangeBody {
        void run(int part, int from, int to);
    }

    /** Runs body over [0, n) split into aligned ranges of at least minPerPart indices. */
    private void forRange(int n, int minPerPart, RangeBody body) {
        int parts = Split.parts(n, minPerPart, threads);
        if (parts == 1) {
            body.run(0, 0, n);
            return;
        }
        pool.run(parts, p -> body.run(p, Split.start(n, parts, ALIGN, p), Split.start(n, parts, ALIGN, p + 1)));
    }

    /** Runs body over rows [0, rows) of a (rows, cols) matrix, at least minElements per part. */
    private void forRows(int rows, int cols, int minElements, RangeBody body) {
        int minRows = Math.max(1, minElements / Math.max(1, cols));
        int parts = Split.parts(rows, minRows, threads);
        if (parts == 1) {
            body.run(0, 0, rows);
            return;
        }
        pool.run(parts, p -> body.run(p, Split.start(rows, parts, 1, p), Split.start(rows, parts, 1, p + 1)));
    }

    // ---- validation (programming errors: IllegalArgumentException naming the op) ----------------

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("cpu backend is closed");
        }
    }

    private static long range(long offset, int n) {
        if (offset < 0 || n < 0) {
            throw new IllegalArgumentException("negative offset or length: " + offset + ", " + n);
        }
        return offset + n;
    }

    private static int count(String op, long n) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": bad element count " + n);
        }
        return (int) n;
    }

    private static int shape(String op, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": negative shape (" + rows + ", " + cols + ")");
        }
        return count(op, (long) rows * cols);
    }

    private CpuBuf floats(String op, String name, Buf buf, long needed) {
        checkOpen();
        if (!(buf instanceof CpuBuf)) {
            throw new IllegalArgumentException(op + ": " + name + " is "
                    + (buf == null ? "null" : "not a cpu buffer: " + buf.getClass().getName()));
        }
        if (buf.size() < needed) {
            throw new IllegalArgumentException(op + ": " + name + " holds " + buf.size()
                    + " floats, needs " + needed);
        }
        return (CpuBuf) buf;
    }

    /** {@link #floats} for a buffer the op writes: also invalidates what was cached from its contents. */
    private CpuBuf output(String op, String name, Buf buf, long needed) {
        CpuBuf b = floats(op, name, buf, needed);
        b.modified();
        return b;
    }

    private CpuIntBuf ints(String op, String name, IntBuf buf, long needed) {
        checkOpen();
        if (!(buf instanceof CpuIntBuf)) {
            throw new IllegalArgumentException(op + ": " + name + " is "
                    + (buf == null ? "null" : "not a cpu int buffer: " + buf.getClass().getName()));
        }
        if (buf.size() < needed) {
            throw new IllegalArgumentException(op + ": " + name + " holds " + buf.size()
                    + " ints, needs " + needed);
        }
        return (CpuIntBuf) buf;
    }

    /** A gemm operand stored (rows, cols) with row stride ld. */
    private CpuBuf matrix(String op, String name, String ldName, Buf buf, int rows, int cols, int ld) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(op + ": " + ldName + " = " + ld + " < "
                    + Math.max(1, cols) + " columns of " + name + " as stored");
        }
        long needed = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        return floats(op, name, buf, needed);
    }

    private PhiloxKernels.Key philoxKey(String op, IntBuf counters, long seed, int stream) {
        CpuIntBuf c = ints(op, "counters", counters, Counters.STEP_HI + 1);
        return PhiloxKernels.Key.of(seed, c.get(Counters.STEP_LO), c.get(Counters.STEP_HI), stream);
    }
}
