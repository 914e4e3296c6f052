package ebm4j.compute.cuda;

import ebm4j.UserException;

/**
 * Which GEMM engine a device gets, from {@value CudaBackend#GEMM_PROPERTY}:
 * <ul>
 *   <li>{@code auto} (the default): cuBLAS when JCublas2 loads and cuBLAS starts (handle, stream,
 *       workspace), else our SGEMM kernel, whose {@code describe()} then says why, e.g.
 *       "own SGEMM kernel (cuBLAS unavailable: cublasCreate failed: CUBLAS_STATUS_NOT_INITIALIZED)";</li>
 *   <li>{@code cublas}: cuBLAS, or a {@link UserException} saying what failed;</li>
 *   <li>{@code kernel}: our SGEMM kernel, cuBLAS untouched.</li>
 * </ul>
 * The engines come from factories, so the choice is tested without a GPU.
 */
final class GemmEngineChoice {
    /** Starts cuBLAS; throws (a CudaException naming the failed step, or a LinkageError) if it cannot. */
    interface CublasFactory {
        GemmEngine open();
    }

    /** Starts our SGEMM kernel; {@code why} is shown by its describe(). */
    interface KernelFactory {
        GemmEngine open(String why);
    }

    private static final String PROPERTY = "-D" + CudaBackend.GEMM_PROPERTY;

    private GemmEngineChoice() {}

    /**
     * @param choice         auto, cublas or kernel
     * @param cublasLoadable whether JCublas2's native library (and so libcublas.so.12) loads
     */
    static GemmEngine open(String choice, boolean cublasLoadable, CublasFactory cublas, KernelFactory kernel) {
        switch (choice) {
            case "kernel":
                return kernel.open("chosen by " + PROPERTY + "=kernel");
            case "cublas":
                if (!cublasLoadable) {
                    throw new UserException(PROPERTY + "=cublas, but JCublas2 cannot load libcublas.so.12");
                }
                try {
                    return cublas.open();
                } catch (RuntimeException | LinkageError e) {
                    throw new UserException(PROPERTY + "=cublas, but cuBLAS did not start: " + e.getMessage(), e);
                }
            case "auto":
                if (!cublasLoadable) {
                    return kernel.open("cuBLAS unavailable: JCublas2 cannot load libcublas.so.12");
                }
                try {
                    return cublas.open();
                } catch (RuntimeException | LinkageError e) {
                    return kernel.open("cuBLAS unavailable: " + e.getMessage());
                }
            default:
                throw new UserException(PROPERTY + " must be auto, kernel or cublas, got '" + choice + "'");
        }
    }
}
