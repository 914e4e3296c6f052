package ebm4j.compute.cpu;

import ebm4j.compute.IntBuf;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;

/**
 * An int buffer of the CPU backend (labels, permutations, counters): a window onto one off-heap
 * allocation, owned by the buffer from {@code allocInt} and shared by its slices, which never free
 * it. Use after the owner is closed throws {@link IllegalStateException}.
 */
public final class CpuIntBuf implements IntBuf {
    private static final class Memory {
        private final ByteBuffer bytes;
        private final IntBuffer ints;
        private volatile boolean closed;

        Memory(long n) {
            bytes = OffHeap.allocate(n, "allocInt");
            ints = bytes.asIntBuffer();
        }
    }

    private final Memory memory;
    private final int offset;
    private final int size;
    private final boolean owner;

    /** A new zero-filled allocation of {@code n} ints. */
    CpuIntBuf(long n) {
        this(new Memory(n), 0, (int) n, true);
    }

    private CpuIntBuf(Memory memory, int offset, int size, boolean owner) {
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
    public CpuIntBuf slice(long offset, long length) {
        checkOpen();
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length)
                    + ") is outside a buffer of " + size + " ints");
        }
        return new CpuIntBuf(memory, this.offset + (int) offset, (int) length, false);
    }

    /** The whole allocation; element {@code i} of this buffer is {@code data().get(base() + i)}. */
    IntBuffer data() {
        checkOpen();
        return memory.ints;
    }

    /** Index of this buffer's element 0 in {@link #data()}. */
    int base() {
        return offset;
    }

    /** Element {@code i} of this buffer. */
    int get(int i) {
        return data().get(offset + i);
    }

    void set(int i, int value) {
        data().put(offset + i, value);
    }

    private void checkOpen() {
        if (memory.closed) {
            throw new IllegalStateException("int buffer used after its owner was closed");
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
