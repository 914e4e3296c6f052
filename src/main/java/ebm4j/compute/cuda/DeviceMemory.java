package ebm4j.compute.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * One device allocation. Owned by a {@link CudaBuf} or {@link CudaIntBuf} (views share it and
 * never free it); the backend also keeps a list of live allocations and frees what is left when
 * it closes, after which closing a buffer does nothing. Close is idempotent.
 */
final class DeviceMemory implements AutoCloseable {
    /** Frees one allocation; the backend's implementation calls cuMemFree and forgets it. */
    interface Freer {
        void free(DeviceMemory memory);
    }

    final CUdeviceptr ptr;
    final long bytes;
    private final Freer freer;
    private final DeviceMemory backing;
    private boolean closed;

    DeviceMemory(CUdeviceptr ptr, long bytes, Freer freer) {
        this(ptr, bytes, freer, null);
    }

    /** A handle on {@code backing}'s memory whose close goes through {@code freer}. */
    DeviceMemory(CUdeviceptr ptr, long bytes, Freer freer, DeviceMemory backing) {
        this.ptr = ptr;
        this.bytes = bytes;
        this.freer = freer;
        this.backing = backing;
    }

    boolean isClosed() {
        return closed || (backing != null && backing.isClosed());
    }

    /** Marks the memory freed without freeing it (the backend freed it, or its context is gone). */
    void markClosed() {
        closed = true;
    }

    @Override
    public void close() {
        if (isClosed()) return;
        if (freer != null) freer.free(this);   // may refuse (inside a capture): then still open
        closed = true;
    }
}
