package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ebm4j.UserException;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * The choice of GEMM engine without a GPU: the factories stand in for cuBLAS (which may fail to
 * start although libcublas.so.12 loads) and for our SGEMM kernel.
 */
class GemmEngineChoiceTest {
    private int cublasOpened;

    private static final GemmEngine CUBLAS = new GemmEngine() {
        @Override
        public String describe() {
            return "cuBLAS 12.6.0 (JCublas2)";
        }

        @Override
        public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, int lda,
                         CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc) {}

        @Override
        public void close() {}
    };

    private GemmEngineChoice.CublasFactory cublasThatWorks() {
        return () -> {
            cublasOpened++;
            return CUBLAS;
        };
    }

    private GemmEngineChoice.CublasFactory cublasThatThrows(Throwable t) {
        return () -> {
            cublasOpened++;
            if (t instanceof RuntimeException r) throw r;
            throw (Error) t;
        };
    }

    private static GemmEngine kernel(String why) {
        return new KernelGemm(l -> { }, 132, null, 0, why);
    }

    @Test
    void autoFallsBackToTheKernelWhenCublasCreateFails() {
        GemmEngine g = GemmEngineChoice.open("auto", true,
                cublasThatThrows(new CudaException("cublasCreate failed: CUBLAS_STATUS_NOT_INITIALIZED")),
                GemmEngineChoiceTest::kernel);
        assertTrue(g instanceof KernelGemm, g.describe());
        assertEquals("own SGEMM kernel (cuBLAS unavailable: cublasCreate failed: CUBLAS_STATUS_NOT_INITIALIZED)",
                g.describe());
        assertEquals(1, cublasOpened);
    }

    @Test
    void autoFallsBackWhenTheWorkspaceCannotBeAllocatedOrASymbolIsMissing() {
        GemmEngine ws = GemmEngineChoice.open("auto", true, cublasThatThrows(new CudaException(
                "allocating its 32 MiB workspace failed: CUDA_ERROR_OUT_OF_MEMORY")), GemmEngineChoiceTest::kernel);
        assertTrue(ws.describe().endsWith("(cuBLAS unavailable: allocating its 32 MiB workspace failed:"
                + " CUDA_ERROR_OUT_OF_MEMORY)"), ws.describe());
        GemmEngine link = GemmEngineChoice.open("auto", true,
                cublasThatThrows(new UnsatisfiedLinkError("undefined symbol: cublasSetWorkspace_v2")),
                GemmEngineChoiceTest::kernel);
        assertTrue(link instanceof KernelGemm && link.describe().contains("cublasSetWorkspace_v2"), link.describe());
    }

    @Test
    void autoTakesCublasWhenItStartsAndTheKernelWhenItDoesNotLoad() {
        assertSame(CUBLAS, GemmEngineChoice.open("auto", true, cublasThatWorks(), GemmEngineChoiceTest::kernel));
        GemmEngine g = GemmEngineChoice.open("auto", false, cublasThatWorks(), GemmEngineChoiceTest::kernel);
        assertEquals("own SGEMM kernel (cuBLAS unavailable: JCublas2 cannot load libcublas.so.12)", g.describe());
        assertEquals(1, cublasOpened, "cuBLAS is not touched when it does not load");
    }

    @Test
    void anExplicitCublasThatFailsIsAClearUserError() {
        UserException e = assertThrows(UserException.class, () -> GemmEngineChoice.open("cublas", true,
                cublasThatThrows(new CudaException("cublasCreate failed: CUBLAS_STATUS_ALLOC_FAILED")),
                GemmEngineChoiceTest::kernel));
        assertEquals("-Debm4j.cuda.gemm=cublas, but cuBLAS did not start: cublasCreate failed:"
                + " CUBLAS_STATUS_ALLOC_FAILED", e.getMessage());
        UserException notLoadable = assertThrows(UserException.class, () -> GemmEngineChoice.open("cublas", false,
                cublasThatWorks(), GemmEngineChoiceTest::kernel));
        assertTrue(notLoadable.getMessage().contains("cannot load libcublas.so.12"), notLoadable.getMessage());
    }

    @Test
    void kernelIsTakenWithoutTouchingCublasAndOtherWordsAreRefused() {
        GemmEngine g = GemmEngineChoice.open("kernel", true, cublasThatWorks(), GemmEngineChoiceTest::kernel);
        assertEquals("own SGEMM kernel (chosen by -Debm4j.cuda.gemm=kernel)", g.describe());
        assertEquals(0, cublasOpened);
        UserException e = assertThrows(UserException.class, () -> GemmEngineChoice.open("fast", true,
                cublasThatWorks(), GemmEngineChoiceTest::kernel));
        assertTrue(e.getMessage().contains("must be auto, kernel or cublas, got 'fast'"), e.getMessage());
    }
}
