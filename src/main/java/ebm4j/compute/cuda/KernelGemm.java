package ebm4j.compute.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * GEMM through our own tiled SGEMM kernels ({@code kernels/gemm.cu}), used when cuBLAS does not
 * load (the usual case on CUDA-13-only machines: JCublas2 12.6 needs libcublas.so.12).
 *
 * <p>Choice of launch, per call:
 * <ul>
 *   <li>{@code gemm_64x64} (64x64 tile, 256 threads, 4x4 per thread) when there are at least as
 *       many 64x64 tiles as multiprocessors; else {@code gemm_32x32} (32x32 tile, 256 threads,
 *       2x2 per thread), which gives batch-sized products four times the blocks;</li>
 *   <li>split-K when even the small tiles leave multiprocessors idle and K is deep (the Langevin
 *       GEMMs: 64 x 512 x 784 gives 32 tiles on 132 SMs): each of {@code splits} k ranges writes
 *       its partial product to the workspace and {@code gemm_splitk_reduce} adds them in split
 *       order and applies alpha and beta. Deterministic (fixed order), but the rounding differs
 *       from the unsplit chain, as any GEMM's does from the CPU's.</li>
 * </ul>
 * The choice depends only on (m, n, k), so a captured graph and an eager run launch the same
 * kernels and give the same bits.
 */
final class KernelGemm implements GemmEngine {
    /** k slice depth of both tile shapes; split ranges are multiples of it. */
    static final int BK = 16;
    /** Smallest k range worth a split of its own. */
    static final int MIN_SPLIT_K = 128;
    static final int MAX_SPLITS = 16;

    private final Launcher launcher;
    private final int multiprocessors;
    private final CUdeviceptr workspace;
    private final long workspaceFloats;
    private final int elementwiseGridCap;
    private final String why;

    /**
     * @param workspace       device memory for split-K partials (owned by the caller), may be null
     * @param workspaceFloats its size in floats (0 disables split-K)
     */
    KernelGemm(Launcher launcher, int multiprocessors, CUdeviceptr workspace, long workspaceFloats) {
        this(launcher, multiprocessors, workspace, workspaceFloats, null);
    }

    /** @param why why this engine and not cuBLAS, for {@link #describe()} (null: nothing to say) */
    KernelGemm(Launcher launcher, int multiprocessors, CUdeviceptr workspace, long workspaceFloats, String why) {
        this.why = why;
        this.launcher = launcher;
        this.multiprocessors = Math.max(1, multiprocessors);
        this.workspace = workspace;
        this.workspaceFloats = workspace == null ? 0 : workspaceFloats;
        this.elementwiseGridCap = KernelOps.gridCap(multiprocessors);
    }

    @Override
    public String describe() {
        return "own SGEMM kernel" + (why == null ? "" : " (" + why + ")");
    }

    /** The launch plan for one product: tile edge (64 or 32), splits and k per split. */
    record Plan(int tile, int splits, int kPer) {}

    Plan plan(int m, int n, int k) {
        long tiles64 = (long) ceilDiv(m, 64) * ceilDiv(n, 64);
        int tile = tiles64 >= multiprocessors ? 64 : 32;
        long tiles = (long) ceilDiv(m, tile) * ceilDiv(n, tile);
        if (tiles < multiprocessors && k >= 2 * MIN_SPLIT_K) {
            long want = Math.min(Math.min(multiprocessors / tiles, k / MIN_SPLIT_K), MAX_SPLITS);
            want = Math.min(want, workspaceFloats / ((long) m * n));
            if (want >= 2) {
                int kPer = ceilDiv(ceilDiv(k, (int) want), BK) * BK;
                int splits = ceilDiv(k, kPer);
                if (splits >= 2) return new Plan(tile, splits, kPer);
            }
        }
        return new Plan(tile, 1, k);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, int lda,
                     CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc) {
        if (m == 0 || n == 0) return;
        Plan p = plan(m, n, k);
        Kernel kernel = p.tile == 64 ? Kernel.GEMM_64X64 : Kernel.GEMM_32X32;
        boolean split = p.splits > 1;
        launcher.launch(new Launch(kernel, ceilDiv(n, p.tile), ceilDiv(m, p.tile), p.splits, 256)
                .i32(transA ? 1 : 0).i32(transB ? 1 : 0).i32(m).i32(n).i32(k)
                .f32(alpha).ptr(a).i32(lda).ptr(b).i32(ldb).f32(beta).ptr(c).i32(ldc)
                .i32(p.kPer).ptr(split ? workspace : null));
        if (split) {
            long mn = (long) m * n;
            launcher.launch(Launch.of(Kernel.GEMM_SPLITK_REDUCE, KernelOps.grid(mn, elementwiseGridCap), KernelOps.THREADS)
                    .ptr(c).i32(ldc).ptr(workspace).i32(m).i32(n).i32(p.splits).f32(alpha).f32(beta));
        }
    }

    static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    @Override
    public void close() {
        // the workspace belongs to the backend
    }
}
