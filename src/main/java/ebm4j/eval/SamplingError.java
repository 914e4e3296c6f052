package ebm4j.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How far a judge's figures can move by the luck of which samples were drawn, so that a figure
 * is read against its noise: a class's acceptance measured on 20 samples moves in steps of 5 %,
 * and a perfectly uniform sampler's class counts among 200 samples stray beyond ±40 % of uniform
 * about one time in three.
 */
public final class SamplingError {
    /** The normal quantile of a two-sided 95 % interval. */
    private static final double Z95 = 1.959963984540054;
    /**
     * Simulated draws behind {@link #chanceMaxDeviation}: its 95th percentile is then within ±0.7
     * percentile points (two standard errors).
     */
    private static final int CHANCE_TRIALS = 4000;
    /** Fixed, so that the same n and classes always give the same figure. */
    private static final long CHANCE_SEED = 0x5EED_C0DEL;

    private SamplingError() {}

    /**
     * The Wilson score interval at 95 % for a proportion of {@code hits} in {@code n} trials, as
     * {lo, hi}. Unlike the normal approximation it stays inside [0, 1] and does not collapse to
     * a point at 0 or n hits (20 of 20 gives 0.84–1.00, not 1.00–1.00).
     */
    public static double[] wilson(int hits, int n) {
        if (n <= 0 || hits < 0 || hits > n) {
            throw new IllegalArgumentException("need 0 <= hits <= n and n > 0, got " + hits + " of " + n);
        }
        double p = (double) hits / n;
        double z2 = Z95 * Z95;
        double centre = (p + z2 / (2.0 * n)) / (1 + z2 / n);
        double half = Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        // at 0 or n hits the exact bound is 0 or 1; the formula's float rounding may miss it by an ulp
        return new double[] {hits == 0 ? 0 : Math.max(0, centre - half), hits == n ? 1 : Math.min(1, centre + half)};
    }

    /**
     * The largest relative deviation of a class's count from {@code n / classes}, the figure
     * {@code unconditional_class_max_deviation} reports, that a sampler drawing every class with
     * equal probability exceeds only 5 % of the time with {@code n} samples: a measured deviation
     * below it says nothing against the sampler's mode coverage. Estimated by simulation from a
     * fixed seed (deterministic).
     */
    public static double chanceMaxDeviation(int n, int classes) {
        if (n <= 0 || classes < 2) {
            throw new IllegalArgumentException("need n > 0 and at least 2 classes, got " + n + " and " + classes);
        }
        SplittableRandom random = new SplittableRandom(CHANCE_SEED);
        double[] deviations = new double[CHANCE_TRIALS];
        int[] counts = new int[classes];
        for (int t = 0; t < CHANCE_TRIALS; t++) {
            Arrays.fill(counts, 0);
            for (int i = 0; i < n; i++) {
                counts[random.nextInt(classes)]++;
            }
            deviations[t] = maxDeviation(counts, n);
        }
        Arrays.sort(deviations);
        return deviations[(int) Math.ceil(0.95 * CHANCE_TRIALS) - 1];
    }

    /** The largest relative deviation of a count from the uniform share of {@code n}. */
    static double maxDeviation(int[] counts, int n) {
        double deviation = 0;
        for (int count : counts) {
            deviation = Math.max(deviation, Math.abs(count * (double) counts.length / n - 1));
        }
        return deviation;
    }
}
