package ebm4j.compute;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Element-wise comparison of float arrays with {@code |actual - expected| <= atol + rtol * |expected|},
 * the check llm.c's dev kernels use. A failure names the first mismatch, the largest difference
 * and how many elements differ, which says more than the first mismatch alone. NaN matches NaN
 * (so "this padding must stay NaN" can be checked), and equal infinities match.
 */
public final class Parity {
    private Parity() {}

    public static void assertClose(String what, float[] expected, float[] actual, float atol, float rtol) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " elements, got " + actual.length);
        }
        int mismatches = 0;
        int first = -1;
        int worst = -1;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.isNaN(e) && Float.isNaN(a) || e == a) {
                continue;
            }
            double diff = Float.isNaN(e) || Float.isNaN(a) ? Double.POSITIVE_INFINITY : Math.abs((double) a - e);
            if (diff > maxDiff || worst < 0) {
                maxDiff = diff;
                worst = i;
            }
            if (!(diff <= atol + rtol * Math.abs((double) e))) {
                mismatches++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (mismatches > 0) {
            fail(String.format("%s: %d of %d elements differ beyond atol %g + rtol %g*|expected|;"
                            + " first at [%d]: expected %s, actual %s; max |diff| %g at [%d]",
                    what, mismatches, expected.length, atol, rtol, first, expected[first], actual[first],
                    maxDiff, worst));
        }
    }

    /** Bit-for-bit equality (all NaNs count as one value; -0 differs from +0). */
    public static void assertBitEqual(String what, float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " elements, got " + actual.length);
        }
        int mismatches = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                mismatches++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (mismatches > 0) {
            fail(String.format("%s: %d of %d elements differ in their bits; first at [%d]: expected %s (0x%08x),"
                            + " actual %s (0x%08x)", what, mismatches, expected.length, first,
                    expected[first], Float.floatToIntBits(expected[first]),
                    actual[first], Float.floatToIntBits(actual[first])));
        }
    }
}
