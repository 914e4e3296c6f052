package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import ebm4j.compute.Backend;
import ebm4j.compute.BackendContractTest;
import ebm4j.compute.Parity;

/**
 * The Backend contract on the real GPU. Skipped (with the probe's reason printed) where
 * {@link CudaProbe} finds no usable GPU, e.g. on CI and developer machines without NVIDIA drivers.
 *
 * <p>Tolerances, and why:
 * <ul>
 *   <li>GEMM 2e-5 (x K/64), twice the CPU's: cuBLAS, when it loads, blocks and may split K in
 *       an order of its own; our kernel sums each product as one fmaf chain in k order (or per
 *       k range with split-K). Either way float rounding over K terms of size ~1, about
 *       sqrt(K) * 6e-8; a wrong or missing term is >= 1e-3.</li>
 *   <li>exp/log ops: the default 2e-6. The kernels compute softmax, LogSumExp and the loss in
 *       double like the CPU and round once; CUDA's double exp/log differ from Java's by an ulp of
 *       a double at most, invisible after rounding to float except in rare ties. ELU's expm1 is
 *       built from fmaf and exact float operations, so it is bit-identical to the CPU's
 *       (AbstractCudaParityTest); against Math.expm1 here it is within an ulp.</li>
 *   <li>random ops: 0, bit-identical. kernels/philox.cuh is a line-for-line twin of Philox.java
 *       using only IEEE-exact operations (integer Philox, +, -, *, /, sqrtf, fmaf where Java uses
 *       Math.fma), built with -fmad=false so nothing is contracted.</li>
 * </ul>
 * Every comparison prints its largest errors ({@link Parity#reportTo}) for {@code scripts/gpu-check.sh}.
 * One extra backend stays open for the whole class, so the device's primary context is not torn
 * down and re-created between tests (each test still gets a fresh backend of its own).
 */
@Tag("gpu")
class CudaBackendContractTest extends BackendContractTest {
    private static CudaBackend keepAlive;

    @BeforeAll
    static void requireGpu() {
        String problem = CudaProbe.problem();
        if (problem != null) {
            System.out.println("CudaBackendContractTest skipped: " + problem);
        }
        Assumptions.assumeTrue(problem == null, () -> "no usable GPU: " + problem);
        keepAlive = CudaBackend.open();
        System.out.println("CudaBackendContractTest on " + keepAlive.describe());
        Parity.reportTo(System.out, "CudaBackendContractTest");
    }

    @AfterAll
    static void release() {
        Parity.stopReporting();
        if (keepAlive != null) {
            keepAlive.close();
            keepAlive = null;
        }
    }

    @Override
    protected Backend createBackend() {
        return CudaBackend.open();
    }

    @Override
    protected float gemmTolerance() {
        return 2e-5f;
    }

    @Override
    protected float randomTolerance() {
        return 0f;
    }

    @Test
    void describesTheDeviceAndTheGemm() {
        assertEquals("cuda", backend.name());
        assertTrue(backend.describe().contains("GEMM"), backend.describe());
    }
}
