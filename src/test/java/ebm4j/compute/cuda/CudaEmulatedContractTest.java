package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import ebm4j.compute.Backend;
import ebm4j.compute.BackendContractTest;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Parity;
import ebm4j.compute.PhaseTimer;

/**
 * The whole Backend contract on {@link CudaBackend} over the host emulator of our kernels
 * ({@link EmulatedDevice}): the real .cu sources, compiled with g++ and run one fiber per
 * CUDA thread, driven by the real Java side (argument checks, launch marshalling, GEMM plans,
 * graph cache, timer). Runs without a GPU; skipped only where g++ is missing.
 *
 * <p>Four pretend multiprocessors, so that the contract's small products take every path of
 * {@link KernelGemm}: the 64x64 tile, the 32x32 tile and split-K.
 *
 * <p>Tolerances: the defaults. GEMM: every path sums each product with fmaf in k order (split-K
 * in k ranges), well inside the contract's float-vs-double bound. exp/log: the emulator uses the
 * host libm in double, rounded to float, as the CPU reference does. Random ops: bit-identical
 * (tolerance 0), because Philox and its float polynomials use only exact IEEE operations.
 */
class CudaEmulatedContractTest extends BackendContractTest {
    static final int PRETEND_SMS = 4;

    @Override
    protected Backend createBackend() {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        return new CudaBackend(new EmulatedDevice(PRETEND_SMS));
    }

    @Test
    void emulatorRunsEveryKernelJavaResolves() {
        TreeSet<String> expected = new TreeSet<>();
        for (Kernel k : Kernel.values()) expected.add(k.symbol);
        CudaBackend cb = (CudaBackend) backend;
        assertEquals(expected, new TreeSet<>(((EmulatedDevice) cb.device()).kernelNames()));
    }

    /** Products with few tiles and deep K take split-K on 4 SMs: (30, 60, 600) is 2 tiles, 2 splits. */
    @Test
    void splitKProductsMatchTheReference() {
        assertEquals(new KernelGemm.Plan(32, 2, 304), new KernelGemm(l -> { }, PRETEND_SMS, new jcuda.driver.CUdeviceptr(), 1 << 20)
                .plan(30, 60, 600), "the shape takes split-K");
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                checkGemm(ta, tb, 30, 60, 600, -0.5f, 0f, 1, 2, 3);
                checkGemm(ta, tb, 5, 7, 1000, 1.25f, 0.5f, 0, 1, 0);
            }
        }
    }

    @Test
    void describesTheDeviceAndTheGemm() {
        assertEquals("cuda", backend.name());
        assertTrue(backend.describe().contains("own SGEMM kernel"), backend.describe());
    }

    @Test
    void transfersAndAllocationsAreRefusedInsideRepeatable() {
        Buf b = zeros(4);
        assertThrows(IllegalStateException.class, () -> backend.repeatable("bad-upload",
                () -> backend.upload(b, new float[] {1, 2, 3, 4})));
        assertThrows(IllegalStateException.class, () -> backend.repeatable("bad-download",
                () -> backend.download(b)));
        assertThrows(IllegalStateException.class, () -> backend.repeatable("bad-alloc",
                () -> backend.alloc(3)));
        assertThrows(IllegalStateException.class, () -> backend.repeatable("bad-sync", backend::synchronize));
        // the backend is still usable afterwards, and a failed key was not cached
        IntBuf c = counters(0, 0, 0);
        backend.repeatable("bad-upload", () -> backend.increment(c, Counters.ADAM_T, 2));
        assertEquals(2, backend.downloadInt(c)[Counters.ADAM_T]);
    }

    /**
     * A replayed graph reads the counters from device memory (new random numbers every call, no
     * re-capture), while a changed host argument makes a new graph: it takes effect at once.
     */
    @Test
    void aGraphReadsCountersFromMemoryAndAChangedHostArgumentIsRecaptured() {
        CudaBackend cb = (CudaBackend) backend;
        IntBuf c = counters(5, 0, 0);
        Buf x = zeros(64);
        float[] lo = {-1f};
        Runnable body = () -> {
            backend.uniformFill(x, 64, lo[0], 1f, 7, c, 3);
            backend.increment(c, Counters.STEP_LO, 1);
        };
        long before = cb.graphs().captures();
        backend.repeatable("fill", body);
        float[] first = get(x);
        backend.repeatable("fill", body);
        float[] second = get(x);
        assertEquals(before + 1, cb.graphs().captures(), "the same commands replay the graph");
        lo[0] = 0.5f;
        backend.repeatable("fill", body);
        float[] third = get(x);
        assertEquals(before + 2, cb.graphs().captures(), "a new host value is a new graph");
        float[] expected = new float[64];
        ebm4j.compute.Philox.uniforms(7, 5, 3, 0, expected, 64, -1f, 1f);
        Parity.assertBitEqual("first call", expected, first);
        ebm4j.compute.Philox.uniforms(7, 6, 3, 0, expected, 64, -1f, 1f);
        Parity.assertBitEqual("the replay draws at the next step", expected, second);
        ebm4j.compute.Philox.uniforms(7, 7, 3, 0, expected, 64, 0.5f, 1f);
        Parity.assertBitEqual("the new lo takes effect", expected, third);
        assertEquals(8L, Counters.step(backend.downloadInt(c)));
    }

    @Test
    void timerTimesPhasesInsideGraphsOnEveryReplay() {
        PhaseTimer timer = backend.timer();
        Buf x = zeros(1 << 14);
        Runnable body = () -> {
            timer.begin("inner");
            backend.fill(x, 1 << 14, 1f);
            timer.end("inner");
        };
        for (int i = 0; i < 3; i++) backend.repeatable("timed", body);
        timer.begin("outer");
        backend.fill(x, 1 << 14, 2f);
        timer.end("outer");
        Map<String, Double> ms = timer.drainMillis();
        assertTrue(ms.get("inner") > 0, "inner: " + ms);
        assertTrue(ms.get("outer") > 0, "outer: " + ms);
        Map<String, Double> again = timer.drainMillis();
        assertEquals(0.0, again.get("inner"), "graph phases are zeroed by a drain: " + again);
        assertThrows(IllegalStateException.class, () -> timer.end("outer"));
        timer.begin("twice");
        assertThrows(IllegalStateException.class, () -> timer.begin("twice"));
        assertThrows(IllegalStateException.class, () -> backend.repeatable("unbalanced", () -> timer.begin("open")));
    }

    /** The CPU backend's argument checks, those a GPU can make without reading device memory. */
    @Test
    void badSizesAreRejectedNamingTheOp() {
        assertSizeChecksThatNeedNoDeviceReads();
        expectBadArgument("increment", () -> backend.increment(ints(0, 0, 0, 0), 4, 1));
        assertThrows(IllegalArgumentException.class, () -> zeros(10).slice(8, 3));
    }



    @Test
    void closedBuffersAndBackendsRefuseUse() {
        Buf owner = backend.alloc(16);
        Buf slice = owner.slice(4, 4);
        owner.close();
        owner.close();
        assertThrows(IllegalStateException.class, () -> backend.download(slice));
        assertThrows(IllegalStateException.class, () -> backend.fill(owner, 16, 1f));
        Backend other = new CudaBackend(new EmulatedDevice(PRETEND_SMS));
        Buf x = other.alloc(4);
        other.close();
        other.close();
        assertThrows(IllegalStateException.class, () -> other.fill(x, 4, 1f));
        x.close();
    }
}
