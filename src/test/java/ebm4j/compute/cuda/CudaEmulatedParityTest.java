package ebm4j.compute.cuda;

import org.junit.jupiter.api.Assumptions;

import ebm4j.compute.Backend;

/**
 * {@link AbstractCudaParityTest} on the host emulator of the kernels (no GPU needed). The shapes
 * are cut down (batch 8, 784-96-64-48-10) because the emulator runs each CUDA thread as a host
 * thread; 16 pretend SMs make the GEMM plans take split-K, the 32x32 and the 64x64 tiles.
 */
class CudaEmulatedParityTest extends AbstractCudaParityTest {
    @Override
    protected Backend openGpu() {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        return new CudaBackend(new EmulatedDevice(16));
    }

    @Override
    protected int batch() {
        return 8;
    }

    @Override
    protected int[] dims() {
        return new int[] {784, 96, 64, 48, 10};
    }
}
