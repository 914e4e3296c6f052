package ebm4j.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import java.util.Map;
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

    /**
     * The backend keeps weight matrices packed between products; every op that writes a buffer
     * must make the next product see the new values. After each kind of write into the
     * allocation that holds B (a slice, as the model's weights are), the product must equal the
     * same product on a fresh copy of B, bit for bit (same kernel, nothing cached).
     */
    @Test
    void productsSeeTheirWeightsChangeAfterEveryKindOfWrite() {
        int m = 7, k = 20, n = 19, off = 5;
        int size = off + k * n + 40;
        Map<String, java.util.function.Consumer<Buf>> writers = new java.util.LinkedHashMap<>();
        writers.put("upload", w -> backend.upload(w, off + 3, new float[] {9f, 8f, 7f}, 0, 3));
        writers.put("fill", w -> backend.fill(w.slice(off, k * n), 11, 0.5f));
        writers.put("copy", w -> backend.copy(w.slice(off + 20, 30), buf(uniform(61, 30, -2, 2)), 30));
        writers.put("gemm", w -> backend.gemm(false, false, 3, 4, 2, 1f, buf(uniform(62, 6, -1, 1)), 2,
                buf(uniform(63, 8, -1, 1)), 4, 0f, w.slice(off + 40, 12), 4));
        writers.put("biasElu", w -> backend.biasElu(w.slice(off, 40), buf(uniform(64, 20, -1, 1)), 2, 20));
        writers.put("addBias", w -> backend.addBias(w.slice(off, 40), buf(uniform(65, 20, -1, 1)), 2, 20));
        writers.put("eluBackward", w -> backend.eluBackward(w.slice(off, 40), buf(uniform(66, 40, -1, 1)), 40));
        writers.put("columnSums", w -> backend.columnSums(w.slice(off + 7, 20), buf(uniform(67, 60, -1, 1)), 3, 20, 0f));
        writers.put("energyGrad", w -> backend.energyGrad(w.slice(off, 30), null, buf(uniform(68, 30, -3, 3)), 3, 10, 1f));
        writers.put("uniformFill", w -> backend.uniformFill(w.slice(off, 50), 50, -1f, 1f, 3, counters(1, 0, 0), 4));
        writers.put("langevinUpdate", w -> backend.langevinUpdate(w.slice(off, 50), buf(uniform(69, 50, -1, 1)), 50,
                0.1f, 0.01f, 0f, 3, counters(1, 0, 0), 5));
        writers.put("addNoise", w -> backend.addNoise(w.slice(off, 50), 50, 0.3f, 3, counters(1, 0, 0), 6));
        writers.put("clamp", w -> backend.clamp(w.slice(off, k * n), k * n, -0.2f, 0.2f));
        writers.put("gatherRows", w -> backend.gatherRows(w.slice(off, 2 * n), null, buf(uniform(70, 3 * n, -1, 1)),
                null, ints(2, 0, 1), counters(0, 0, 0), 2, n));
        writers.put("scatterRows", w -> backend.scatterRows(w.slice(off, k * n), buf(uniform(71, n, -1, 1)), ints(4),
                counters(0, 0, 0), 1, n));
        writers.put("adamStep", w -> backend.adamStep(w.slice(off, k * n), buf(uniform(72, k * n, -1, 1)), zeros(k * n),
                zeros(k * n), k * n, counters(0, 0, 0), new AdamSpec(0.1f, 0.9f, 0.999f, 1e-8f, 0, 0)));
        for (boolean transB : new boolean[] {false, true}) {
            for (Map.Entry<String, java.util.function.Consumer<Buf>> writer : writers.entrySet()) {
                Buf a = buf(uniform(73, m * k, -1, 1));
                Buf w = buf(uniform(74, size, -1, 1));
                Buf weights = w.slice(off, k * n);
                int ldb = transB ? k : n;
                Buf c = zeros(m * n);
                backend.gemm(false, transB, m, n, k, 1f, a, k, weights, ldb, 0f, c, n); // packs the weights
                writer.getValue().accept(w);
                backend.gemm(false, transB, m, n, k, 1f, a, k, weights, ldb, 0f, c, n);
                Buf fresh = buf(get(weights));
                Buf expected = zeros(m * n);
                backend.gemm(false, transB, m, n, k, 1f, a, k, fresh, ldb, 0f, expected, n);
                Parity.assertBitEqual("product after " + writer.getKey() + (transB ? " (B transposed)" : ""),
                        get(expected), get(c));
            }
        }
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
