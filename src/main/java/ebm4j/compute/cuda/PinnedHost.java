package ebm4j.compute.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jcuda.Pointer;

/**
 * A page-locked host staging buffer for uploads and downloads: copies from it are truly
 * asynchronous and DMA straight to the device, unlike copies from Java arrays. Grows on demand up
 * to {@link #MAX_BYTES}; callers move larger transfers in chunks. Close is idempotent.
 */
final class PinnedHost implements AutoCloseable {
    /** Largest staging buffer; bigger transfers go in chunks of this size. */
    static final long MAX_BYTES = 16L << 20;

    private Pointer host;
    private ByteBuffer bytes;
    private long capacity;
    private boolean closed;

    /** A buffer of at least min(wanted, MAX_BYTES) bytes, native byte order. */
    ByteBuffer ensure(long wanted) {
        if (closed) throw new IllegalStateException("staging buffer is closed");
        long need = Math.min(Math.max(wanted, 4096), MAX_BYTES);
        if (need > capacity) {
            release();
            long size = Math.min(MAX_BYTES, Math.max(need, capacity * 2));
            Pointer p = new Pointer();
            cuMemAllocHost(p, size);
            host = p;
            capacity = size;
            bytes = p.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        }
        bytes.clear();
        return bytes;
    }

    Pointer pointer() {
        return host;
    }

    long capacity() {
        return capacity;
    }

    private void release() {
        if (host != null) {
            cuMemFreeHost(host);
            host = null;
            bytes = null;
            capacity = 0;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        release();
    }
}
