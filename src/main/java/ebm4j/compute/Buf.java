package ebm4j.compute;

/**
 * A float32 buffer owned by a {@link Backend}: host memory on the CPU backend, device memory on
 * the CUDA backend. Buffers from {@link Backend#alloc} own their memory; {@link #slice} views
 * share it and never free it. Closing is idempotent.
 */
public interface Buf extends AutoCloseable {
    /** Number of floats. */
    long size();

    /** A view of {@code length} floats starting at {@code offset}; valid while this buffer is open. */
    Buf slice(long offset, long length);

    @Override
    void close();
}
