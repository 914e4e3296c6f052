package ebm4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The judges' error bars against values worked out independently, and against what they claim to cover. */
class SamplingErrorTest {
    @Test
    void wilsonIntervalMatchesHandWorkedValues() {
        // p = 1/2, n = 10: centre 1/2, half-width z/(1 + z²/n) · sqrt(p(1-p)/n + z²/4n²) = 0.26340
        assertArrayEquals(new double[] {0.23659, 0.76341}, SamplingError.wilson(5, 10), 1e-5);
        // 20 of 20: not the point 1 but 0.839–1 (centre (1 + z²/2n)/(1 + z²/n) = 0.91944, half-width 0.08056)
        assertArrayEquals(new double[] {0.83888, 1.0}, SamplingError.wilson(20, 20), 1e-5);
        assertArrayEquals(new double[] {0.0, 0.16112}, SamplingError.wilson(0, 20), 1e-5);
    }

    @Test
    void wilsonIntervalsCoverTheTrueShareAboutNineteenTimesInTwenty() {
        // exact coverage over the binomial distribution of hits, at shares a judge's figures sit at
        for (double p : new double[] {0.5, 0.9, 0.97}) {
            for (int n : new int[] {100, 1000}) {
                double covered = 0;
                for (int k = 0; k <= n; k++) {
                    double[] ci = SamplingError.wilson(k, n);
                    covered += ci[0] <= p && p <= ci[1] ? binomial(n, k, p) : 0;
                }
                assertTrue(covered > 0.92 && covered < 0.98, "coverage " + covered + " at p " + p + ", n " + n);
            }
        }
    }

    @Test
    void wilsonRefusesImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> SamplingError.wilson(3, 2));
        assertThrows(IllegalArgumentException.class, () -> SamplingError.wilson(0, 0));
    }

    /**
     * Treating the ten class counts as independent binomials (the multinomial's counts are slightly
     * negatively correlated, which only makes all-within likelier), the chance deviation keeps all
     * ten within it with probability about 0.95.
     */
    @Test
    void chanceDeviationIsAUniformSamplersNinetyFifthPercentile() {
        for (int n : new int[] {200, 1000}) {
            double d = SamplingError.chanceMaxDeviation(n, 10);
            double allWithin = Math.pow(binomialWithin(n, 0.1, d), 10);
            assertTrue(allWithin > 0.93 && allWithin < 0.99,
                    "n " + n + ": deviation " + d + ", all within " + allWithin);
        }
        // a histogram target of ±40 %: a perfect sampler's 95th percentile exceeds it at 200 samples, not at 1,000
        assertTrue(SamplingError.chanceMaxDeviation(200, 10) > 0.4);
        assertTrue(SamplingError.chanceMaxDeviation(1000, 10) < 0.3);
        assertEquals(SamplingError.chanceMaxDeviation(500, 10), SamplingError.chanceMaxDeviation(500, 10),
                "a fixed seed: the same n gives the same figure");
    }

    @Test
    void maxDeviationIsTheLargestRelativeStrayFromUniform() {
        assertEquals(0.5, SamplingError.maxDeviation(new int[] {10, 5, 15, 10}, 40), 1e-12);
        assertEquals(0.0, SamplingError.maxDeviation(new int[] {7, 7, 7}, 21), 1e-12);
    }

    private static double binomial(int n, int k, double p) {
        return Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
    }

    /** P(|X/(np) - 1| <= d) for X ~ Binomial(n, p). */
    private static double binomialWithin(int n, double p, double d) {
        double s = 0;
        for (int k = 0; k <= n; k++) {
            s += Math.abs(k / (n * p) - 1) <= d + 1e-12 ? binomial(n, k, p) : 0;
        }
        return s;
    }

    private static double logChoose(int n, int k) {
        double s = 0;
        for (int i = 1; i <= k; i++) {
            s += Math.log(n - k + i) - Math.log(i);
        }
        return s;
    }
}
