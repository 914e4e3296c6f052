package ebm4j.cli;

import ebm4j.compute.Backend;
import ebm4j.compute.cuda.CudaBackend;
import ebm4j.compute.cuda.CudaProbe;

/** The CLI's view of the CUDA backend: whether it can be used, and opening it. */
final class GpuSupport {
    private GpuSupport() {}

    /** null when a GPU backend can be opened, else a one-line reason (driver, device, kernels). */
    static String unavailableReason() {
        return CudaProbe.problem();
    }

    static String describe() {
        try (Backend b = open()) {
            return b.describe();
        }
    }

    static Backend open() {
        return CudaBackend.open();
    }
}
