package ebm4j.compute.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * GEMM through cuBLAS (JCublas2), used only when {@link #loadable()} says libcublas.so.12 loads
 * (and, unless cuBLAS was asked for, only when it also starts: see {@link GemmEngineChoice}).
 *
 * <p>The handle is bound to the backend's stream, and a fixed workspace is set AFTER
 * cublasSetStream (which resets it), so a captured graph never contains cuBLAS's own
 * stream-ordered allocations. Default math mode: no TF32, so results stay float32 products.
 *
 * <p>Row-major through column-major cuBLAS (JCUDA.md section 4): a row-major X[r x c] with row
 * stride ld is the column-major X^T with leading dimension ld, so row-major C = op(A) op(B) is
 * column-major C^T = op(B)^T op(A)^T: {@code sgemm(opB, opA, N, M, K, B, ldb, A, lda, C, ldc)}.
 */
final class CublasGemm implements GemmEngine {
    private static final Boolean LOADABLE = probe();

    private final cublasHandle handle = new cublasHandle();
    private final CUdeviceptr workspace = new CUdeviceptr();
    private final String version;
    private boolean created;
    private boolean workspaceAllocated;
    private boolean closed;

    /**
     * @param stream         the backend's stream
     * @param workspaceBytes 32 MiB on Hopper, 4 MiB elsewhere (cuBLAS docs)
     * @throws CudaException naming the step that failed ("cublasCreate failed: ...",
     *         "allocating its 32 MiB workspace failed: ..."), after releasing what was made
     */
    CublasGemm(CUstream stream, long workspaceBytes) {
        JCublas2.setExceptionsEnabled(true);
        String step = "cublasCreate";
        try {
            JCublas2.cublasCreate(handle);
            created = true;
            step = "cublasSetStream";
            JCublas2.cublasSetStream(handle, new cudaStream_t(stream));
            step = "allocating its " + (workspaceBytes >> 20) + " MiB workspace";
            cuMemAlloc(workspace, workspaceBytes);
            workspaceAllocated = true;
            step = "cublasSetWorkspace";
            JCublas2.cublasSetWorkspace(handle, workspace, workspaceBytes);
            step = "cublasGetVersion";
            int[] v = {0};
            JCublas2.cublasGetVersion(handle, v);
            version = (v[0] / 10000) + "." + (v[0] / 100 % 100) + "." + (v[0] % 100);
        } catch (CudaException e) {
            CudaException failure = new CudaException(step + " failed: " + e.getMessage(), e);
            try {
                close();
            } catch (RuntimeException suppressed) {
                failure.addSuppressed(suppressed);
            }
            throw failure;
        }
    }

    /** True when JCublas2's native library (and so libcublas.so.12) loads; decided once per JVM. */
    static boolean loadable() {
        return LOADABLE;
    }

    private static Boolean probe() {
        try {
            JCublas2.initialize();
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return "cuBLAS " + version + " (JCublas2)";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, int lda,
                     CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc) {
        int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        JCublas2.cublasSgemm(handle, opB, opA, n, m, k, Pointer.to(new float[] {alpha}), b, ldb, a, lda,
                Pointer.to(new float[] {beta}), c, ldc);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (created) JCublas2.cublasDestroy(handle);
        } finally {
            if (workspaceAllocated) cuMemFree(workspace);
        }
    }
}
