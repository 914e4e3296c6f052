package ebm4j.compute.cpu;

/**
 * Deterministic partition of {@code [0, n)} into contiguous ranges, one per part. The boundaries
 * depend only on (n, parts, align), never on scheduling, which is what keeps results bit-identical
 * run to run for a fixed thread count.
 */
final class Split {
    private Split() {}

    /**
     * Start of part {@code part}'s range; part {@code p} covers {@code [start(p), start(p+1))}.
     * Every range but the last has a length that is a multiple of {@code align}; trailing parts
     * may be empty.
     */
    static int start(int n, int parts, int align, int part) {
        long chunk = ceilDiv(ceilDiv(n, parts), align) * align;
        return (int) Math.min(n, chunk * part);
    }

    /** How many parts to use for {@code work} units when each part should get at least {@code minWork}. */
    static int parts(long work, long minWork, int threads) {
        if (threads <= 1 || work < 2 * minWork) {
            return 1;
        }
        return (int) Math.min(threads, work / minWork);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
