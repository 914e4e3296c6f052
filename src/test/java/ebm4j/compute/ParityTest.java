package ebm4j.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The figures lines that the GPU tests print through {@link Parity}, and that they stay off by default. */
class ParityTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @AfterEach
    void silence() {
        Parity.stopReporting();
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private void report() {
        Parity.reportTo(new PrintStream(bytes, true, StandardCharsets.UTF_8), "ParityTest");
    }

    @Test
    void aToleranceCheckReportsItsLargestAbsoluteAndRelativeErrors() {
        report();
        // errors: 0.001 on 1 (rel 1e-3), 0.004 on 8 (rel 5e-4, the largest absolute), none on 0
        Parity.assertClose("op", new float[] {1f, 8f, 0f}, new float[] {1.001f, 8.004f, 0f}, 1e-2f, 1e-3f);
        List<String> l = lines();
        assertEquals(1, l.size(), l.toString());
        String line = l.get(0);
        assertTrue(line.startsWith("PARITY ParityTest | op | n=3 "), line);
        assertTrue(line.contains("max_abs=4.000e-03") || line.contains("max_abs=3.999e-03"), line);
        assertTrue(line.contains("max_rel=1.000e-03") || line.contains("max_rel=9.999e-04"), line);
        assertTrue(line.contains("at=1 "), line);
        // worst ratio: 0.004 / (0.01 + 0.008) = 0.222 (element 1) beats 0.001 / 0.011 = 0.091
        assertTrue(line.contains("ratio=0.222"), line);
        assertTrue(line.endsWith("| atol=1.0e-02 rtol=1.0e-03 | PASS"), line);
    }

    @Test
    void aFailingCheckStillPrintsItsFiguresBeforeFailing() {
        report();
        assertThrows(AssertionFailedError.class,
                () -> Parity.assertClose("bad", new float[] {1f, 2f}, new float[] {1f, 2.5f}, 1e-3f, 0f));
        String line = lines().get(0);
        assertTrue(line.contains("max_abs=5.000e-01") && line.contains("ratio=500 ") && line.endsWith("| FAIL"), line);
        assertThrows(AssertionFailedError.class,
                () -> Parity.assertBitEqual("bits", new float[] {1f, 0f, 3f}, new float[] {1f, -0f, Float.NaN}));
        String bits = lines().get(1);
        assertTrue(bits.equals("PARITY ParityTest | bits | n=3 differing=2 max_abs=Infinity | bit-exact | FAIL"), bits);
    }

    @Test
    void aBitExactCheckReportsZeroDifferences() {
        report();
        Parity.assertBitEqual("same", new float[] {1f, Float.NaN}, new float[] {1f, Float.NaN});
        assertEquals(List.of("PARITY ParityTest | same | n=2 differing=0 max_abs=0.000e+00 | bit-exact | PASS"), lines());
    }

    @Test
    void silentUnlessReportingIsOn() {
        PrintStream saved = System.out;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            Parity.assertClose("quiet", new float[] {1f}, new float[] {1f}, 0f, 0f);
            Parity.assertBitEqual("quiet", new float[] {1f}, new float[] {1f});
        } finally {
            System.setOut(saved);
        }
        if (!Boolean.getBoolean(Parity.REPORT_PROPERTY)) {
            assertEquals(List.of(), lines(), "no figures lines in the ordinary test output");
        }
    }
}
