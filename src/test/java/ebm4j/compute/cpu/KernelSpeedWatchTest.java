package ebm4j.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelSpeedWatchTest {
    /** A batch-64 product of a 512-wide layer: 64 * 512 * 512 multiply-adds. */
    private static final long LAYER_MACS = 64L * 512 * 512;

    private final List<String> warnings = new ArrayList<>();
    private final KernelSpeedWatch watch = new KernelSpeedWatch(warnings::add);

    /** Feeds products of {@code macs} at {@code gflops} until {@code seconds} of product time have passed. */
    private void run(long macs, double gflops, double seconds) {
        long nanos = Math.max(1, Math.round(2.0 * macs / gflops));
        for (long spent = 0; spent < seconds * 1e9; spent += nanos) {
            watch.record(macs, nanos);
        }
    }

    @Test
    void warnsOnceWhenTheProductsStayAtFallbackSpeedAfterTheGrace() {
        run(LAYER_MACS, 0.3, 60);
        assertTrue(watch.warned());
        assertEquals(1, warnings.size(), "one warning, not one per window");
        assertTrue(warnings.get(0).contains("0.30 GFLOP/s"), warnings.get(0));
        assertTrue(warnings.get(0).contains("Vector API"), warnings.get(0));
    }

    @Test
    void theJitsWarmUpAtFallbackSpeedIsNotAWarning() {
        run(LAYER_MACS, 0.3, KernelSpeedWatch.GRACE_NANOS / 1e9 - 1);   // interpreter and C1 first
        run(LAYER_MACS, 40, 120);                                      // then C2's vector code
        assertFalse(watch.warned());
        assertTrue(warnings.isEmpty());
    }

    @Test
    void vectorSpeedOnALoadedMachineIsNotAWarning() {
        run(LAYER_MACS, 3, 120);       // ten processes sharing a core that gives 30 GFLOP/s alone
        assertFalse(watch.warned());
    }

    @Test
    void aCompilationLostMidRunIsCaughtInTheNextWindow() {
        run(LAYER_MACS, 40, 100);
        assertFalse(watch.warned());
        run(LAYER_MACS, 0.3, 2 * KernelSpeedWatch.WINDOW_NANOS / 1e9);
        assertTrue(watch.warned());
    }

    @Test
    void smallProductsAreNotTimed() {
        run(KernelSpeedWatch.MIN_MACS - 1, 0.01, 120);   // call overhead dominates these
        assertFalse(watch.warned());
    }
}
