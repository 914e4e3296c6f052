package ebm4j.compute.cuda;

import ebm4j.compute.AdamSpec;
import ebm4j.compute.Counters;
import ebm4j.compute.Patches;
import ebm4j.compute.HybridLossSpec;
import jcuda.driver.CUdeviceptr;

/**
 * The argument marshalling of every non-GEMM kernel: checks the Java-side arguments (buffer
 * sizes, shapes; a bad index on the device would poison the context instead of throwing), picks
 * the launch shape and builds the {@link Launch}. No driver call happens here (the
 * {@link Launcher} issues them), so this class is tested without a GPU.
 *
 * <p>Launch shapes: elementwise kernels use {@link #THREADS} threads per block and a grid-stride
 * loop, with the grid capped at {@link #gridCap} blocks (32 per multiprocessor); the Philox
 * kernels run one thread per 4 elements (one Philox block each); {@code column_sums} one thread per
 * column; {@code energy_grad} one thread per row; {@code hybrid_loss_grad} one block of 256
 * (deterministic statistics); {@code increment} and {@code timer_mark} one thread.
 */
final class KernelOps {
    static final int THREADS = 256;
    /** hybrid_loss_grad's block size (EBM_LOSS_THREADS in energy.cu). */
    static final int LOSS_THREADS = 256;

    private final Launcher launcher;
    private final int gridCap;

    KernelOps(Launcher launcher, int multiprocessors) {
        this.launcher = launcher;
        this.gridCap = gridCap(multiprocessors);
    }

    /** Largest grid of an elementwise launch: 32 blocks of 256 per multiprocessor. */
    static int gridCap(int multiprocessors) {
        return Math.max(1, multiprocessors) * 32;
    }

    /** Blocks for {@code work} threads of {@link #THREADS}, at least 1, at most {@code cap}. */
    static int grid(long work, int cap) {
        long blocks = (work + THREADS - 1) / THREADS;
        return (int) Math.max(1, Math.min(blocks, cap));
    }

    private int grid(long work) {
        return grid(work, gridCap);
    }

    static void need(CudaBuf b, long elements, String what) {
        if (b == null) throw new IllegalArgumentException(what + " is null");
        if (b.size() < elements) {
            throw new IllegalArgumentException(what + " holds " + b.size() + " floats, needs " + elements);
        }
    }

    static void need(CudaIntBuf b, long elements, String what) {
        if (b == null) throw new IllegalArgumentException(what + " is null");
        if (b.size() < elements) {
            throw new IllegalArgumentException(what + " holds " + b.size() + " ints, needs " + elements);
        }
    }

    static void nonNegative(long v, String what) {
        if (v < 0) throw new IllegalArgumentException(what + " must be >= 0, got " + v);
    }

    private static CUdeviceptr ptrOrNull(CudaBuf b) {
        return b == null ? null : b.ptr();
    }

    private static CUdeviceptr ptrOrNull(CudaIntBuf b) {
        return b == null ? null : b.ptr();
    }

    void fill(CudaBuf x, long n, float value) {
        nonNegative(n, "n");
        need(x, n, "x");
        if (n == 0) return;
        launcher.launch(Launch.of(Kernel.FILL, grid(n), THREADS).ptr(x.ptr()).i64(n).f32(value));
    }

    void biasElu(CudaBuf out, CudaBuf bias, int rows, int cols) {
        rowsCols(out, bias, rows, cols);
        if ((long) rows * cols == 0) return;
        launcher.launch(Launch.of(Kernel.BIAS_ELU, grid((long) rows * cols), THREADS)
                .ptr(out.ptr()).ptr(bias.ptr()).i32(rows).i32(cols));
    }

    void addBias(CudaBuf out, CudaBuf bias, int rows, int cols) {
        rowsCols(out, bias, rows, cols);
        if ((long) rows * cols == 0) return;
        launcher.launch(Launch.of(Kernel.ADD_BIAS, grid((long) rows * cols), THREADS)
                .ptr(out.ptr()).ptr(bias.ptr()).i32(rows).i32(cols));
    }

    private static void rowsCols(CudaBuf out, CudaBuf bias, int rows, int cols) {
        nonNegative(rows, "rows");
        nonNegative(cols, "cols");
        need(out, (long) rows * cols, "out");
        need(bias, cols, "bias");
    }

    void eluBackward(CudaBuf grad, CudaBuf out, long n) {
        nonNegative(n, "n");
        need(grad, n, "grad");
        need(out, n, "out");
        if (n == 0) return;
        launcher.launch(Launch.of(Kernel.ELU_BACKWARD, grid(n), THREADS).ptr(grad.ptr()).ptr(out.ptr()).i64(n));
    }

    void columnSums(CudaBuf out, CudaBuf in, int rows, int cols, float beta) {
        nonNegative(rows, "rows");
        nonNegative(cols, "cols");
        need(out, cols, "out");
        need(in, (long) rows * cols, "in");
        if (cols == 0) return;
        launcher.launch(Launch.of(Kernel.COLUMN_SUMS, (cols + THREADS - 1) / THREADS, THREADS)
                .ptr(out.ptr()).ptr(in.ptr()).i32(rows).i32(cols).f32(beta));
    }

    void energyGrad(CudaBuf dScores, CudaBuf energy, CudaBuf scores, int rows, int classes, float sign) {
        nonNegative(rows, "rows");
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        need(dScores, (long) rows * classes, "dScores");
        need(scores, (long) rows * classes, "scores");
        if (energy != null) need(energy, rows, "energy");
        if (rows == 0) return;
        launcher.launch(Launch.of(Kernel.ENERGY_GRAD, (rows + THREADS - 1) / THREADS, THREADS)
                .ptr(dScores.ptr()).ptr(ptrOrNull(energy)).ptr(scores.ptr()).i32(rows).i32(classes).f32(sign));
    }

    void hybridLossGrad(CudaBuf dScores, CudaBuf stats, CudaBuf scores, CudaIntBuf labels, int batch,
                        int classes, HybridLossSpec spec) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        need(dScores, 2L * batch * classes, "dScores");
        need(scores, 2L * batch * classes, "scores");
        need(stats, ebm4j.compute.LossStats.SIZE, "stats");
        need(labels, batch, "labels");
        launcher.launch(Launch.of(Kernel.HYBRID_LOSS_GRAD, 1, LOSS_THREADS)
                .ptr(dScores.ptr()).ptr(stats.ptr()).ptr(scores.ptr()).ptr(labels.ptr())
                .i32(batch).i32(classes).f32(spec.energySign()).f32(spec.genWeight()).f32(spec.l2Weight())
                .i32(spec.energyNeutralCe() ? 1 : 0));
    }

    void uniformFill(CudaBuf x, long n, float lo, float hi, long seed, CudaIntBuf counters, int stream) {
        nonNegative(n, "n");
        need(x, n, "x");
        need(counters, Counters.STEP_HI + 1, "counters");
        if (n == 0) return;
        launcher.launch(Launch.of(Kernel.UNIFORM_FILL, grid((n + 3) / 4), THREADS)
                .ptr(x.ptr()).i64(n).f32(lo).f32(hi).i64(seed).ptr(counters.ptr()).i32(stream));
    }

    void langevinUpdate(CudaBuf x, CudaBuf grad, long n, float alpha, float sigma, float gradClip,
                        long seed, CudaIntBuf counters, int stream) {
        nonNegative(n, "n");
        need(x, n, "x");
        need(grad, n, "grad");
        need(counters, Counters.STEP_HI + 1, "counters");
        if (n == 0) return;
        launcher.launch(Launch.of(Kernel.LANGEVIN_UPDATE, grid((n + 3) / 4), THREADS)
                .ptr(x.ptr()).ptr(grad.ptr()).i64(n).f32(alpha).f32(sigma).f32(gradClip)
                .i64(seed).ptr(counters.ptr()).i32(stream));
    }

    void addNoise(CudaBuf x, long n, float sigma, long seed, CudaIntBuf counters, int stream) {
        nonNegative(n, "n");
        need(x, n, "x");
        need(counters, Counters.STEP_HI + 1, "counters");
        if (n == 0) return;
        launcher.launch(Launch.of(Kernel.ADD_NOISE, grid((n + 3) / 4), THREADS)
                .ptr(x.ptr()).i64(n).f32(sigma).i64(seed).ptr(counters.ptr()).i32(stream));
    }

    void clamp(CudaBuf x, long n, float lo, float hi) {
        nonNegative(n, "n");
        need(x, n, "x");
        if (n == 0) return;
        launcher.launch(Launch.of(Kernel.CLAMP, grid(n), THREADS).ptr(x.ptr()).i64(n).f32(lo).f32(hi));
    }

    void gatherRows(CudaBuf out, CudaIntBuf labelsOut, CudaBuf table, CudaIntBuf labels, CudaIntBuf perm,
                    CudaIntBuf counters, int rows, int cols) {
        nonNegative(rows, "rows");
        if (cols < 1) throw new IllegalArgumentException("cols must be >= 1, got " + cols);
        need(out, (long) rows * cols, "out");
        if (table == null) throw new IllegalArgumentException("table is null");
        if (perm == null) throw new IllegalArgumentException("perm is null");
        need(counters, Counters.CURSOR + 1, "counters");
        boolean withLabels = labelsOut != null && labels != null;
        if (withLabels) need(labelsOut, rows, "labelsOut");
        long tableRows = table.size() / cols;
        if (withLabels) tableRows = Math.min(tableRows, labels.size());
        if (rows == 0) return;
        launcher.launch(Launch.of(Kernel.GATHER_ROWS, grid((long) rows * cols), THREADS)
                .ptr(out.ptr()).ptr(withLabels ? labelsOut.ptr() : null).ptr(table.ptr())
                .ptr(withLabels ? labels.ptr() : null).ptr(perm.ptr()).ptr(counters.ptr())
                .i32(rows).i32(cols).i64(tableRows).i64(perm.size()));
    }

    void scatterRows(CudaBuf table, CudaBuf src, CudaIntBuf index, CudaIntBuf counters, int rows, int cols) {
        nonNegative(rows, "rows");
        if (cols < 1) throw new IllegalArgumentException("cols must be >= 1, got " + cols);
        need(src, (long) rows * cols, "src");
        if (table == null) throw new IllegalArgumentException("table is null");
        if (index == null) throw new IllegalArgumentException("index is null");
        need(counters, Counters.CURSOR + 1, "counters");
        if (rows == 0) return;
        launcher.launch(Launch.of(Kernel.SCATTER_ROWS, grid((long) rows * cols), THREADS)
                .ptr(table.ptr()).ptr(src.ptr()).ptr(index.ptr()).ptr(counters.ptr())
                .i32(rows).i32(cols).i64(table.size() / cols).i64(index.size()));
    }

    void increment(CudaIntBuf counters, int index, int delta) {
        if (index < 0 || index >= counters.size() || (index == Counters.STEP_LO && counters.size() <= Counters.STEP_HI)) {
            throw new IllegalArgumentException("index " + index + " outside counters of " + counters.size());
        }
        launcher.launch(Launch.of(Kernel.INCREMENT, 1, 1).ptr(counters.ptr()).i32(index).i32(delta));
    }

    void adamStep(CudaBuf params, CudaBuf grads, CudaBuf m, CudaBuf v, long n, CudaIntBuf counters, AdamSpec spec) {
        nonNegative(n, "n");
        need(params, n, "params");
        need(grads, n, "grads");
        need(m, n, "m");
        need(v, n, "v");
        need(counters, Counters.ADAM_T + 1, "counters");
        if (n == 0) return;
        launcher.launch(Launch.of(Kernel.ADAM_STEP, grid(n), THREADS)
                .ptr(params.ptr()).ptr(grads.ptr()).ptr(m.ptr()).ptr(v.ptr()).i64(n).ptr(counters.ptr())
                .f32(spec.lr()).f32(spec.beta1()).f32(spec.beta2()).f32(spec.eps()).i32(spec.warmupSteps())
                .i64(spec.decaySteps()));
    }

    /** Records the device clock into timer slot {@code phase} (begin) or adds the elapsed time (end). */
    void timerMark(CUdeviceptr slots, int phase, boolean end) {
        launcher.launch(Launch.of(Kernel.TIMER_MARK, 1, 1).ptr(slots).i32(phase).i32(end ? 1 : 0));
    }

    void im2col(CudaBuf cols, CudaBuf x, Patches p, int batch) {
        nonNegative(batch, "batch");
        long rows = (long) batch * p.positions();
        need(cols, rows * p.patchSize(), "cols");
        need(x, (long) batch * p.pixels(), "x");
        if (batch == 0) return;
        launcher.launch(Launch.of(Kernel.IM2COL, grid(rows * p.patchSize()), THREADS).ptr(cols.ptr()).ptr(x.ptr())
                .i32(batch).i32(p.height()).i32(p.width()).i32(p.channels()).i32(p.kernelH()).i32(p.kernelW())
                .i32(p.stride()).i32(p.pad()));
    }

    void col2im(CudaBuf dx, CudaBuf dcols, Patches p, int batch) {
        nonNegative(batch, "batch");
        need(dx, (long) batch * p.pixels(), "dx");
        need(dcols, (long) batch * p.positions() * p.patchSize(), "dcols");
        if (batch == 0) return;
        launcher.launch(Launch.of(Kernel.COL2IM, grid((long) batch * p.pixels()), THREADS).ptr(dx.ptr())
                .ptr(dcols.ptr()).i32(batch).i32(p.height()).i32(p.width()).i32(p.channels()).i32(p.kernelH())
                .i32(p.kernelW()).i32(p.stride()).i32(p.pad()));
    }

    void shiftImages(CudaBuf out, CudaBuf in, int rows, int height, int width, int channels, int maxShift, float fill,
                     long seed, CudaIntBuf counters, int stream) {
        nonNegative(rows, "rows");
        if (height < 1 || width < 1 || channels < 1 || maxShift < 0) {
            throw new IllegalArgumentException("bad shape " + height + "x" + width + "x" + channels + " or shift "
                    + maxShift);
        }
        long n = (long) rows * height * width * channels;
        need(out, n, "out");
        need(in, n, "in");
        need(counters, Counters.STEP_HI + 1, "counters");
        if (rows == 0) return;
        launcher.launch(Launch.of(Kernel.SHIFT_IMAGES, grid(n), THREADS).ptr(out.ptr()).ptr(in.ptr()).i32(rows)
                .i32(height).i32(width).i32(channels).i32(maxShift).f32(fill).i64(seed).ptr(counters.ptr()).i32(stream));
    }
}
