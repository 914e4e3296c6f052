package ebm4j.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The contract on the CPU backend with OpenBLAS products and two threads, plus CPU-only details. */
class CpuBackendContractTest extends BackendContractTest {

    /** The pom ships OpenBLAS natives for linux-x86_64 only; elsewhere this suite is skipped, not failed. */
    static boolean openBlasShipped() {
        String arch = System.getProperty("os.arch");
        return System.getProperty("os.name").startsWith("Linux") && ("amd64".equals(arch) || "x86_64".equals(arch));
    }

    @Override
    protected Backend createBackend() {
        Assumptions.assumeTrue(openBlasShipped(), "no OpenBLAS natives for this platform");
        return new CpuBackend(2, GemmChoice.OPENBLAS);
    }

    @Test
    void autoChoosesOpenBlasWhenItLoads() {
        try (CpuBackend auto = new CpuBackend(1, GemmChoice.AUTO)) {
            assertTrue(auto.describe().startsWith("cpu: 1 thread, GEMM OpenBLAS "), auto.describe());
        }
    }

    @Test
    void describesThreadsAndOpenBlas() {
        assertEquals("cpu", backend.name());
        assertTrue(backend.describe().startsWith("cpu: 2 threads, GEMM OpenBLAS "), backend.describe());
    }

    /** Results below 1e-30 would be subnormal-prone inputs to the next product: flushed to zero. */
    @Test
    void biasEluFlushesTinyResultsToZero() {
        Buf out = buf(1e-31f, -1e-31f, 1e-29f, -1e-29f, 2e-38f, -0f);
        backend.biasElu(out, buf(0f, 0f, 0f, 0f, 0f, 0f), 1, 6);
        Parity.assertBitEqual("flushed", new float[] {0f, 0f, 1e-29f, (float) Math.expm1(-1e-29f), 0f, 0f}, get(out));
    }

    @Test
    void softmaxGradientsFlushSubnormalProbabilities() {
        Buf d = zeros(2);
        backend.energyGrad(d, null, buf(0f, -90f), 1, 2, 1f); // exp(-90) = 8e-40 is subnormal in float
        Parity.assertBitEqual("flushed probability", new float[] {1f, 0f}, get(d));
    }

    @Test
    void badSizesAreRejectedNamingTheOp() {
        assertSizeChecksThatNeedNoDeviceReads();
        expectBadArgument("hybridLossGrad",
                () -> backend.hybridLossGrad(zeros(8), zeros(LossStats.SIZE), zeros(8), ints(0, 2), 2, 2,
                        HybridLossSpec.REFERENCE));
        IntBuf perm = ints(0, 1, 2);
        expectBadArgument("gatherRows",
                () -> backend.gatherRows(zeros(4), null, zeros(6), null, perm, counters(0, 0, 2), 2, 2));
        expectBadArgument("gatherRows",
                () -> backend.gatherRows(zeros(4), null, zeros(4), null, perm, counters(0, 0, 1), 2, 2));
        expectBadArgument("scatterRows",
                () -> backend.scatterRows(zeros(4), zeros(4), ints(0, 2), counters(0, 0, 0), 2, 2));
        expectBadArgument("scatterRows",
                () -> backend.scatterRows(zeros(6), zeros(4), ints(0, 1), counters(0, 0, 1), 2, 2));
        expectBadArgument("scatterRows",
                () -> backend.scatterRows(zeros(6), zeros(4), ints(1, 1), counters(0, 0, 0), 2, 2));
        expectBadArgument("increment", () -> backend.increment(ints(0, 0, 0, 0), 4, 1));
        assertThrows(IllegalArgumentException.class, () -> zeros(10).slice(8, 3));
    }



    @Test
    void closedBuffersAndBackendsRefuseUseAndCloseTwice() {
        Buf owner = backend.alloc(16);
        Buf slice = owner.slice(4, 4);
        owner.close();
        owner.close();
        assertThrows(IllegalStateException.class, () -> backend.download(slice));
        assertThrows(IllegalStateException.class, () -> backend.fill(owner, 16, 1f));
        IntBuf ints = backend.allocInt(4);
        ints.close();
        ints.close();
        assertThrows(IllegalStateException.class, () -> backend.downloadInt(ints));

        Backend other = new CpuBackend(2, GemmChoice.OPENBLAS);
        Buf x = other.alloc(4);
        other.close();
        other.close();
        assertThrows(IllegalStateException.class, () -> other.fill(x, 4, 1f));
        x.close();
    }

    @Test
    void gemmChoiceComesFromTheSystemProperty() {
        String before = System.getProperty(GemmChoice.PROPERTY);
        try {
            System.setProperty(GemmChoice.PROPERTY, "Java");
            assertEquals(GemmChoice.JAVA, GemmChoice.fromSystemProperty());
            System.setProperty(GemmChoice.PROPERTY, "openblas");
            assertEquals(GemmChoice.OPENBLAS, GemmChoice.fromSystemProperty());
            System.setProperty(GemmChoice.PROPERTY, "mkl");
            assertThrows(IllegalArgumentException.class, GemmChoice::fromSystemProperty);
            System.clearProperty(GemmChoice.PROPERTY);
            assertEquals(GemmChoice.AUTO, GemmChoice.fromSystemProperty());
        } finally {
            if (before == null) {
                System.clearProperty(GemmChoice.PROPERTY);
            } else {
                System.setProperty(GemmChoice.PROPERTY, before);
            }
        }
    }
}
