package ebm4j.data;

import java.util.SplittableRandom;

/** Seeded shuffling: the same (seed, epoch) gives the same order on every machine and backend. */
public final class Shuffle {
    private Shuffle() {}

    /**
     * A permutation of {@code 0..n-1} for one epoch, by Fisher-Yates over a
     * {@link SplittableRandom} seeded from {@code seed} and {@code epoch}.
     */
    public static int[] permutation(int n, long seed, int epoch) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        SplittableRandom random = new SplittableRandom(streamSeed(seed, epoch));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * Hashes (seed, epoch) into one seed. Not simply {@code seed + epoch}: SplittableRandom's state
     * advances by a fixed gamma, so seeds that differ by a multiple of it give overlapping streams;
     * mixing first makes neighbouring seeds and epochs unrelated.
     */
    static long streamSeed(long seed, int epoch) {
        return mix64(seed ^ mix64(epoch + 0x9E3779B97F4A7C15L));
    }

    /** Stafford's "Mix13" 64-bit finaliser. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
