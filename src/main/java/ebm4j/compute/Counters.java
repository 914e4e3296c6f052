package ebm4j.compute;

/**
 * Layout of the small int buffer of per-step state that ops read from memory, so a captured
 * CUDA graph sees new values on every replay without being re-captured.
 */
public final class Counters {
    /** Philox step counter, low and high 32 bits; advanced once per training step or sample call. */
    public static final int STEP_LO = 0;
    public static final int STEP_HI = 1;
    /** Adam steps taken so far. */
    public static final int ADAM_T = 2;
    /** Row cursor into the epoch's permutation, advanced by the batch size after each gather. */
    public static final int CURSOR = 3;
    /** Number of ints in a counters buffer. */
    public static final int SIZE = 4;

    private Counters() {}

    /** Combines the two step words into the 64-bit step they encode. */
    public static long step(int[] counters) {
        return (counters[STEP_LO] & 0xFFFFFFFFL) | ((long) counters[STEP_HI] << 32);
    }
}
