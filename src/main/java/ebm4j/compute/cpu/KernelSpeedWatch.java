package ebm4j.compute.cpu;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Says so, once, when the layer products run at a speed that only the Vector API's Java fallback
 * gives. The CPU kernels are written against {@code jdk.incubator.vector}; they are fast only
 * once HotSpot's C2 compiler has turned the vector calls into vector instructions. Without that
 * (a JVM run without C2, e.g. {@code -XX:TieredStopAtLevel=1}, or, rarely, a compilation that
 * failed: once in this project's history an {@code eval} ran over twenty times its usual time, and
 * the same command started again ran normally) every vector operation allocates and loops in
 * Java, some hundred times slower, and nothing else tells the user why a run crawls.
 *
 * <p>The watch is fed the wall time of each large product. The first {@link #GRACE_NANOS} of
 * product time are left to the JIT (the first calls always run in the interpreter and C1, at
 * fallback speed, until C2 has compiled the kernel); after that, each {@link #WINDOW_NANOS} of
 * product time is judged on its own, and one window below {@link #FLOOR_GFLOPS} gives the
 * warning. The floor sits far from both sides: the vector kernel runs at 30-90 GFLOP/s per core
 * on this project's 2-core dev machine, so ten processes sharing each core would still leave it
 * near 3, while the fallback ran at 0.15 (the same machine, {@code ebm4j bench} under
 * {@code EBM4J_JAVA_OPTS=-XX:TieredStopAtLevel=1}, which gave this warning after 30 s).
 */
final class KernelSpeedWatch {
    /** Products with fewer multiply-adds are not timed: call overhead, not arithmetic, sets their speed. */
    static final long MIN_MACS = 1L << 22;
    /** Product time left to the JIT before speeds are judged. */
    static final long GRACE_NANOS = 20_000_000_000L;
    /** Product time per judged window. */
    static final long WINDOW_NANOS = 10_000_000_000L;
    /** Below this a window's products ran without vector instructions. */
    static final double FLOOR_GFLOPS = 1.0;

    private final Consumer<String> warn;
    private long timedNanos;
    private long windowNanos;
    private double windowFlops;
    private boolean warned;

    /** @param warn receives the one warning */
    KernelSpeedWatch(Consumer<String> warn) {
        this.warn = warn;
    }

    /** One product of {@code macs} multiply-adds that took {@code nanos} of wall time. */
    void record(long macs, long nanos) {
        if (warned || macs < MIN_MACS) {
            return;
        }
        timedNanos += nanos;
        if (timedNanos <= GRACE_NANOS) {
            return;
        }
        windowNanos += nanos;
        windowFlops += 2.0 * macs;
        if (windowNanos < WINDOW_NANOS) {
            return;
        }
        double gflops = windowFlops / windowNanos;
        windowNanos = 0;
        windowFlops = 0;
        if (gflops < FLOOR_GFLOPS) {
            warned = true;
            warn.accept(String.format(Locale.ROOT,
                    "the CPU layer products run at %.2f GFLOP/s, far below the tens of GFLOP/s"
                            + " per core of vector code: the JVM is running the Vector API without"
                            + " compiling it to vector instructions (a JVM without its C2 compiler, or,"
                            + " rarely, a compilation that failed). Starting the command again usually"
                            + " helps; a training run can be resumed from its last checkpoint"
                            + " (train --resume RUN).", gflops));
        }
    }

    /** Whether the warning was given. */
    boolean warned() {
        return warned;
    }
}
