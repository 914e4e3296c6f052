package ebm4j.compute;

/**
 * An int32 buffer owned by a {@link Backend}: labels, row permutations and the small counters
 * (RNG step, Adam step, batch cursor) that a captured CUDA graph reads from memory instead of
 * baking them in as launch arguments.
 */
public interface IntBuf extends AutoCloseable {
    long size();

    IntBuf slice(long offset, long length);

    @Override
    void close();
}
