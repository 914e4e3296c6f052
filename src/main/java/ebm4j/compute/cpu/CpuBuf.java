package ebm4j.compute.cpu;

import ebm4j.compute.Buf;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * A float buffer of the CPU backend: a window {@code [offset, offset+size)} onto one off-heap
 * allocation. The buffer returned by {@code alloc} owns the allocation; slices share it and never
 * free it. After the owner is closed every use of it or of its slices throws
 * {@link IllegalStateException} (the memory is gone, so a read would crash the JVM).
 *
 * <p>Kernels use {@link #data()} with absolute indices {@code base() + i}; the shared root
 * FloatBuffer's position is never moved. The GEMM needs buffers positioned at a matrix's first
 * element instead (that is how OpenBLAS's binding takes an offset), so each allocation keeps a
 * small fixed set of private views, one per (worker part, operand) slot, to stay allocation-free.
 */
public final class CpuBuf implements Buf {
    /** The allocation shared by an owning buffer and its slices. */
    private static final class Memory {
        private final ByteBuffer bytes;
        private final FloatBuffer floats;
        private final FloatBuffer[] views;
        private volatile boolean closed;
        /** Bumped by every backend op that writes this memory (see {@link #modified()}). */
        private long version;

        Memory(long n, int viewSlots) {
            bytes = OffHeap.allocate(n, "alloc");
            floats = bytes.asFloatBuffer();
            views = new FloatBuffer[viewSlots];
        }
    }

    private final Memory memory;
    private final int offset;
    private final int size;
    private final boolean owner;

    /** A new zero-filled allocation of {@code n} floats with {@code viewSlots} positioned-view slots. */
    CpuBuf(long n, int viewSlots) {
        this(new Memory(n, viewSlots), 0, (int) n, true);
    }

    private CpuBuf(Memory memory, int offset, int size, boolean owner) {
        this.memory = memory;
        this.offset = offset;
        this.size = size;
        this.owner = owner;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public CpuBuf slice(long offset, long length) {
        checkOpen();
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length)
                    + ") is outside a buffer of " + size + " floats");
        }
        return new CpuBuf(memory, this.offset + (int) offset, (int) length, false);
    }

    /** The whole allocation; element {@code i} of this buffer is {@code data().get(base() + i)}. */
    FloatBuffer data() {
        checkOpen();
        return memory.floats;
    }


    /** The allocation this buffer views: the same object for an owner and all its slices. */
    Object memory() {
        return memory;
    }

    /**
     * How many times backend ops have written this allocation: a cache of something computed
     * from its contents (a packed weight matrix) is valid while this stays the same. Read and
     * bumped only by the thread that submits ops.
     */
    long version() {
        return memory.version;
    }

    /** Records that an op is about to write this buffer (any part of its allocation). */
    void modified() {
        memory.version++;
    }

    /** Index of this buffer's element 0 in {@link #data()}. */
    int base() {
        return offset;
    }

    /**
     * A view positioned at element {@code index} of this buffer, private to {@code slot}: two
     * callers may use the same allocation concurrently as long as their slots differ.
     */
    FloatBuffer positioned(int slot, int index) {
        checkOpen();
        if (slot >= memory.views.length) {
            // Only when a buffer from a backend with fewer threads reaches this one: correct, not cached.
            return memory.floats.duplicate().position(offset + index);
        }
        FloatBuffer view = memory.views[slot];
        if (view == null) {
            view = memory.floats.duplicate();
            memory.views[slot] = view;
        }
        view.position(offset + index);
        return view;
    }

    private void checkOpen() {
        if (memory.closed) {
            throw new IllegalStateException("buffer used after its owner was closed");
        }
    }

    /** Frees the allocation when this buffer owns it; idempotent. Closing a slice does nothing. */
    @Override
    public void close() {
        if (!owner) {
            return;
        }
        synchronized (memory) {
            if (memory.closed) {
                return;
            }
            memory.closed = true;
        }
        OffHeap.free(memory.bytes);
    }
}
