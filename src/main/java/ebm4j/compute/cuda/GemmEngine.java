package ebm4j.compute.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Row-major C = alpha * op(A) * op(B) + beta * C on the backend's stream, as
 * {@link ebm4j.compute.Backend#gemm}. Two implementations: {@link CublasGemm} when JCublas2 loads
 * (it needs libcublas.so.12), else {@link KernelGemm}, our own SGEMM kernel. Both are safe to
 * capture into a CUDA graph.
 */
interface GemmEngine extends AutoCloseable {
    /** For the run header, e.g. "cuBLAS 12.6 (JCublas2)" or "own SGEMM kernel". */
    String describe();

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, int lda,
              CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc);

    @Override
    void close();
}
