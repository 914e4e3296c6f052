package ebm4j.compute.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;

import ebm4j.compute.Backend;
import ebm4j.compute.Parity;

/**
 * {@link AbstractCudaParityTest} on the real GPU at the model's shapes (batch 64, stacked 128,
 * 784-512-512-512-10). Skipped, with the reason printed, where {@link CudaProbe} finds no GPU.
 * Every comparison prints its largest errors ({@link Parity#reportTo}): on a first GPU run the
 * figures, not only pass or fail, are what {@code scripts/gpu-check.sh} collects.
 */
@Tag("gpu")
class CudaParityTest extends AbstractCudaParityTest {
    @Override
    protected Backend openGpu() {
        String problem = CudaProbe.problem();
        if (problem != null) {
            System.out.println("CudaParityTest skipped: " + problem);
        }
        Assumptions.assumeTrue(problem == null, () -> "no usable GPU: " + problem);
        CudaBackend b = CudaBackend.open();
        System.out.println("CudaParityTest on " + b.describe());
        Parity.reportTo(System.out, "CudaParityTest");
        return b;
    }

    @AfterAll
    void stopReporting() {
        Parity.stopReporting();
    }
}
