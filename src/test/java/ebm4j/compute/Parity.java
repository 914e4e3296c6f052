package ebm4j.compute;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Element-wise comparison of float arrays with {@code |actual - expected| <= atol + rtol * |expected|},
 * the check llm.c's dev kernels use. A failure names the first mismatch, the largest difference
 * and how many elements differ, which says more than the first mismatch alone. NaN matches NaN
 * (so "this padding must stay NaN" can be checked), and equal infinities match.
 *
 * <p><b>Figures.</b> A pass says only that the errors are under the tolerance; on a new GPU the
 * figures themselves are the finding. When reporting is on, every comparison also prints one line
 * <pre>PARITY label | what | n=N max_abs=A max_rel=R at=I ratio=Q | atol=X rtol=Y | PASS</pre>
 * where {@code ratio} is the largest {@code |diff| / (atol + rtol*|expected|)} (1 = at the
 * tolerance), or for bit-for-bit checks {@code ... differing=D max_abs=A | bit-exact | PASS}.
 * The GPU-tagged tests turn it on ({@link #reportTo}); {@code -D}{@value #REPORT_PROPERTY}{@code =true}
 * turns it on everywhere (e.g. for the emulated parity tests). {@code scripts/gpu-check.sh}
 * collects the lines.
 */
public final class Parity {
    /** System property that turns reporting on for every comparison in the JVM. */
    public static final String REPORT_PROPERTY = "ebm4j.parity.report";

    private static final PrintStream DEFAULT_REPORT = Boolean.getBoolean(REPORT_PROPERTY) ? System.out : null;
    private static volatile PrintStream report = DEFAULT_REPORT;
    private static volatile String label = "";

    private Parity() {}

    /** Prints one figures line per comparison to {@code out}, tagged {@code label} (a test class). */
    public static void reportTo(PrintStream out, String label) {
        Parity.label = label;
        Parity.report = out;
    }

    /** Back to the default: silent unless {@value #REPORT_PROPERTY} is set. */
    public static void stopReporting() {
        label = "";
        report = DEFAULT_REPORT;
    }

    public static void assertClose(String what, float[] expected, float[] actual, float atol, float rtol) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " elements, got " + actual.length);
        }
        int mismatches = 0;
        int first = -1;
        int worst = -1;
        double maxDiff = 0;
        double maxRel = 0;
        double maxRatio = 0;
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
            if (e != 0f) {
                maxRel = Math.max(maxRel, diff / Math.abs((double) e));
            }
            double allowed = atol + rtol * Math.abs((double) e);
            maxRatio = Math.max(maxRatio, allowed > 0 ? diff / allowed : Double.POSITIVE_INFINITY);
            if (!(diff <= allowed)) {
                mismatches++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        report(String.format(Locale.ROOT, "%s | n=%d max_abs=%.3e max_rel=%.3e at=%d ratio=%.3g | atol=%.1e rtol=%.1e | %s",
                what, expected.length, maxDiff, maxRel, worst, maxRatio, atol, rtol, mismatches > 0 ? "FAIL" : "PASS"));
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
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                mismatches++;
                if (first < 0) {
                    first = i;
                }
                boolean nan = Float.isNaN(expected[i]) || Float.isNaN(actual[i]);
                maxDiff = Math.max(maxDiff, nan ? Double.POSITIVE_INFINITY : Math.abs((double) actual[i] - expected[i]));
            }
        }
        report(String.format(Locale.ROOT, "%s | n=%d differing=%d max_abs=%.3e | bit-exact | %s",
                what, expected.length, mismatches, maxDiff, mismatches > 0 ? "FAIL" : "PASS"));
        if (mismatches > 0) {
            fail(String.format("%s: %d of %d elements differ in their bits; first at [%d]: expected %s (0x%08x),"
                            + " actual %s (0x%08x)", what, mismatches, expected.length, first,
                    expected[first], Float.floatToIntBits(expected[first]),
                    actual[first], Float.floatToIntBits(actual[first])));
        }
    }

    private static void report(String figures) {
        PrintStream out = report;
        if (out != null) {
            out.println("PARITY " + (label.isEmpty() ? "-" : label) + " | " + figures);
        }
    }
}
