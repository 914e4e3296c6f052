package ebm4j.api;

import ebm4j.compute.Backend;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cuda.CudaBackend;
import ebm4j.compute.cuda.CudaProbe;

/** Where a {@link TrainedModel} computes: the same choice as the command line's {@code --device}. */
public enum Device {
    /** The GPU when one is usable, else the CPU. */
    AUTO,
    /** The CPU: all cores (or {@code -Debm4j.threads=N}), OpenBLAS GEMMs and Vector API kernels. */
    CPU,
    /** An NVIDIA GPU (device 0) through CUDA; {@link DeviceUnavailableException} when none is usable. */
    GPU;

    /** The module the CPU backend's kernels need; the JVM resolves it only when asked by name. */
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    /**
     * Opens the backend this choice stands for.
     *
     * @throws DeviceUnavailableException when the GPU is asked for and unusable, or the CPU is
     *                                    needed and the JVM lacks the Vector API module
     */
    Backend open() {
        String gpuProblem = this == CPU ? "not asked for" : CudaProbe.problem();
        if (gpuProblem == null) {
            try {
                return CudaBackend.open();
            } catch (RuntimeException e) {
                throw new DeviceUnavailableException("the GPU could not be opened: " + e.getMessage(), e);
            }
        }
        if (this == GPU) {
            throw new DeviceUnavailableException("Device.GPU was asked for, but no GPU is usable: " + gpuProblem
                    + "; use Device.CPU or Device.AUTO");
        }
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            throw new DeviceUnavailableException("the CPU backend needs the Vector API: start the JVM with"
                    + " --add-modules " + VECTOR_MODULE + (this == AUTO ? " (no GPU is usable either: "
                    + gpuProblem + ")" : ""));
        }
        return new CpuBackend();
    }

    /** Which device a backend runs on. */
    static Device of(Backend backend) {
        return "cpu".equals(backend.name()) ? CPU : GPU;
    }
}
