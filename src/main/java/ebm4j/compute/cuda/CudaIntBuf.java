package ebm4j.compute.cuda;

import ebm4j.compute.IntBuf;
import jcuda.driver.CUdeviceptr;

/** An int32 buffer in device memory; ownership as in {@link CudaBuf}. */
public final class CudaIntBuf implements IntBuf {
    private final CUdeviceptr ptr;
    private final long size;
    private final DeviceMemory memory;
    private final boolean owner;

    CudaIntBuf(CUdeviceptr ptr, long size, DeviceMemory memory, boolean owner) {
        this.ptr = ptr;
        this.size = size;
        this.memory = memory;
        this.owner = owner;
    }

    static CudaIntBuf unowned(CUdeviceptr ptr, long size) {
        return new CudaIntBuf(ptr, size, null, false);
    }

    @Override
    public long size() {
        return size;
    }

    CUdeviceptr ptr() {
        if (memory != null && memory.isClosed()) {
            throw new IllegalStateException("device int buffer of " + size + " ints is closed");
        }
        return ptr;
    }

    @Override
    public CudaIntBuf slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length)
                    + ") of a buffer of " + size + " ints");
        }
        return new CudaIntBuf(ptr().withByteOffset(offset * Integer.BYTES), length, memory, false);
    }

    @Override
    public void close() {
        if (owner && memory != null) memory.close();
    }

    @Override
    public String toString() {
        return "CudaIntBuf[" + size + " ints, " + ptr + "]";
    }
}
