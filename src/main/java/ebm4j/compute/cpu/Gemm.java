package ebm4j.compute.cpu;

import java.nio.FloatBuffer;

/**
 * A single-threaded row-major SGEMM: {@code C = alpha * op(A) * op(B) + beta * C}, op(A) (m,k),
 * op(B) (k,n), C (m,n). The backend splits large products into sub-products over rows (or
 * columns) of C and calls this once per part, concurrently.
 *
 * <p>Contract shared by every implementation: {@code a}, {@code b} and {@code c} are positioned at
 * the first element of their matrix and read/written with indices relative to that position;
 * lda/ldb/ldc are the row strides as stored (A is stored (k,m) when transA); m, n, k >= 1;
 * beta == 0 overwrites C without reading it (so NaN in C does not survive).
 */
interface Gemm {
    /**
     * @param part which of the concurrent parts is calling, 0 .. threads-1: selects private
     *             scratch space in implementations that need it
     */
    void sgemm(int part, boolean transA, boolean transB, int m, int n, int k,
               float alpha, FloatBuffer a, int lda, FloatBuffer b, int ldb,
               float beta, FloatBuffer c, int ldc);

    /** For run headers, e.g. "OpenBLAS 0.3.31 (Zen kernels)". */
    String describe();
}
