package ebm4j.compute.cuda;

import ebm4j.compute.Buf;
import jcuda.driver.CUdeviceptr;

/**
 * A float32 buffer in device memory. Buffers from {@code CudaBackend.alloc} own their
 * {@link DeviceMemory}; {@link #slice} views share it (pointer plus byte offset) and never free
 * it. Using a buffer after its memory was closed throws {@link IllegalStateException}.
 */
public final class CudaBuf implements Buf {
    private final CUdeviceptr ptr;
    private final long size;
    private final DeviceMemory memory;
    private final boolean owner;

    CudaBuf(CUdeviceptr ptr, long size, DeviceMemory memory, boolean owner) {
        this.ptr = ptr;
        this.size = size;
        this.memory = memory;
        this.owner = owner;
    }

    /** A buffer over memory nobody frees (for tests of the launch marshalling). */
    static CudaBuf unowned(CUdeviceptr ptr, long size) {
        return new CudaBuf(ptr, size, null, false);
    }

    @Override
    public long size() {
        return size;
    }

    /** The device pointer (with this view's offset). */
    CUdeviceptr ptr() {
        if (memory != null && memory.isClosed()) {
            throw new IllegalStateException("device buffer of " + size + " floats is closed");
        }
        return ptr;
    }

    @Override
    public CudaBuf slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length)
                    + ") of a buffer of " + size + " floats");
        }
        return new CudaBuf(ptr().withByteOffset(offset * Float.BYTES), length, memory, false);
    }

    @Override
    public void close() {
        if (owner && memory != null) memory.close();
    }

    @Override
    public String toString() {
        return "CudaBuf[" + size + " floats, " + ptr + "]";
    }
}
