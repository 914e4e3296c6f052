package ebm4j.compute.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Allocates and frees the direct memory behind {@link CpuBuf} and {@link CpuIntBuf}.
 *
 * <p>Native byte order so that OpenBLAS reads the floats in place and absolute gets compile to
 * plain loads. Freeing is explicit (through {@code sun.misc.Unsafe.invokeCleaner}, looked up
 * reflectively so the build stays warning-free): the training set alone is ~190 MB and waiting
 * for the garbage collector to notice a closed buffer would hold that memory for an unbounded
 * time. Where the cleaner is unavailable the memory is left to the collector.
 */
final class OffHeap {
    /** Largest element count a direct buffer of 4-byte elements can hold (its capacity is an int of bytes). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE / 4;

    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private OffHeap() {}

    /** Zero-filled direct memory for {@code elements} 4-byte values. */
    static ByteBuffer allocate(long elements, String what) {
        if (elements < 0 || elements > MAX_ELEMENTS) {
            throw new IllegalArgumentException(what + ": cannot allocate " + elements
                    + " elements (0.." + MAX_ELEMENTS + ")");
        }
        // allocateDirect zero-fills, as Backend.alloc promises.
        return ByteBuffer.allocateDirect((int) (elements * 4)).order(ByteOrder.nativeOrder());
    }

    /** Returns the memory to the system now. The caller guarantees nothing touches it afterwards. */
    static void free(ByteBuffer bytes) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(bytes);
        } catch (Throwable e) {
            // Freeing early is an optimisation; the collector still frees the memory later.
        }
    }

    private static MethodHandle findCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
