package ebm4j.compute.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

import jcuda.CudaException;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * The kernel module: the fatbin from the classpath resource {@link CudaProbe#KERNELS_RESOURCE},
 * loaded once, with every {@link Kernel} resolved at load so a missing kernel fails here and not
 * in the middle of a training run. Close is idempotent.
 */
final class CudaModule implements AutoCloseable {
    private final CUmodule module = new CUmodule();
    private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
    private boolean closed;

    private CudaModule(byte[] image, String arch) {
        try {
            cuModuleLoadData(module, image);
        } catch (CudaException e) {
            String code = String.valueOf(e.getMessage());
            String hint = code.contains("NO_BINARY_FOR_GPU")
                    ? "the fatbin has no code for this GPU (" + arch + "); rebuild kernels/build.sh with its -gencode"
                    : code.contains("UNSUPPORTED_PTX_VERSION")
                    ? "the driver is older than the PTX in the fatbin (built by nvcc 13: needs an R580+ driver)"
                    : "loading " + CudaProbe.KERNELS_RESOURCE;
            throw new CudaException(code + ": " + hint, e);
        }
        try {
            for (Kernel k : Kernel.values()) {
                CUfunction f = new CUfunction();
                try {
                    cuModuleGetFunction(f, module, k.symbol);
                } catch (CudaException e) {
                    throw new CudaException(e.getMessage() + ": kernel " + k.symbol
                            + " is not in " + CudaProbe.KERNELS_RESOURCE + " (stale build?)", e);
                }
                functions.put(k, f);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Loads the fatbin resource into the current context. {@code arch} names the GPU for messages. */
    static CudaModule load(String arch) {
        return new CudaModule(readImage(), arch);
    }

    static byte[] readImage() {
        try (InputStream in = CudaModule.class.getResourceAsStream(CudaProbe.KERNELS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("CUDA kernels not built: resource "
                        + CudaProbe.KERNELS_RESOURCE + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + CudaProbe.KERNELS_RESOURCE, e);
        }
    }

    CUfunction function(Kernel k) {
        if (closed) throw new IllegalStateException("kernel module is closed");
        return functions.get(k);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        functions.clear();
        cuModuleUnload(module);
    }
}
