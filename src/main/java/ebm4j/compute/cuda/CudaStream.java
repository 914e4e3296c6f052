package ebm4j.compute.cuda;

import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * The backend's one stream. Non-blocking, so it never synchronises implicitly with the legacy
 * default stream; all work (kernels, cuBLAS, copies) goes here in order. Close is idempotent.
 */
final class CudaStream implements AutoCloseable {
    final CUstream stream = new CUstream();
    private boolean closed;

    CudaStream() {
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
    }

    void synchronize() {
        cuStreamSynchronize(stream);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cuStreamDestroy(stream);
    }
}
