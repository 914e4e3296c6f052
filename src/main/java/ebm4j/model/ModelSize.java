package ebm4j.model;

import ebm4j.UserException;
import java.util.Locale;

/**
 * How large a model may be, checked before anything of its size is allocated: its parameter
 * count (computed with overflow checks) against a hard limit, and the Java heap its host copies
 * need against what this JVM has left. A model beyond either is a {@link UserException} that
 * says what to change, never an OutOfMemoryError or an arithmetic overflow deep inside.
 */
public final class ModelSize {
    /**
     * The most parameters a model may have: every parameter-sized buffer (weights, gradients, two
     * Adam moments) stays within 2 GiB of floats, the largest buffer the CPU backend allocates,
     * and its host copies (checkpoints) within Java's array limit.
     */
    public static final long MAX_PARAMETERS = Integer.MAX_VALUE / 4;

    private ModelSize() {}

    /**
     * The parameter count of a spec.
     *
     * @param what names the model in the message, e.g. "--hidden-dims 65536,65536" or a checkpoint
     * @throws UserException when the spec is no valid model of its kind, or has more than
     *                       {@link #MAX_PARAMETERS} parameters
     */
    public static long parameters(ModelSpec spec, String what) {
        long n;
        try {
            n = Models.type(spec.kind()).parameterCount(spec);
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
        } catch (IllegalArgumentException e) {
            throw new UserException(what + " describes an impossible model: " + e.getMessage());
        }
        if (n > MAX_PARAMETERS) {
            throw new UserException(String.format(Locale.ROOT, "%s gives a model of %s parameters; ebm4j holds at most"
                    + " %,d (2 GiB per buffer): choose smaller hidden widths", what,
                    n == Long.MAX_VALUE ? "more than 2^63" : String.format(Locale.ROOT, "%,d", n), MAX_PARAMETERS));
        }
        return n;
    }

    /**
     * Refuses work whose host arrays need more Java heap than this JVM can still give.
     *
     * @param bytes what is about to be allocated on the heap
     * @param what  what needs it, e.g. "loading checkpoint X"
     */
    public static void requireHeap(long bytes, String what) {
        if (bytes <= available()) {
            return;
        }
        System.gc(); // garbage counts as used until it is collected: look again before refusing
        long free = available();
        if (bytes > free) {
            throw new UserException(String.format(Locale.ROOT, "%s needs %s of Java heap but only %s are free (of %s):"
                            + " raise it with -Xmx (EBM4J_JAVA_OPTS) or use a smaller model", what, mib(bytes), mib(free),
                    mib(Runtime.getRuntime().maxMemory())));
        }
    }

    private static long available() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /** Bytes as mebibytes for messages. */
    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", (bytes + (1 << 20) - 1) >> 20);
    }
}
