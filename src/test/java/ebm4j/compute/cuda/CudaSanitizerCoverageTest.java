package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import ebm4j.compute.AdamSpec;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.HybridLossSpec;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Patches;
import ebm4j.compute.PhaseTimer;
import jcuda.driver.CUdeviceptr;

/**
 * Every production kernel runs under the emulator's sanitizer with zero findings: every op of
 * {@link CudaBackend} once (both GEMM tile shapes, split-K with its reduction, ELU with and without
 * bias, the losses, every Philox op, the gather with and without labels, Adam, the counters, and
 * the timer's device marks inside a captured graph), then the emulator's launch counts must show
 * each kernel of Kernel.java run to its end, its device-memory accesses checked, and, for the
 * kernels with __shared__ memory, its shared accesses checked too (which proves the shared section
 * is found). A finding would already fail the op that made it (and the device's close).
 */
@Timeout(120)
class CudaSanitizerCoverageTest {
    private static final int SMS = 4;
    /** The kernels that declare __shared__ memory (gemm.cu's tiles, energy.cu's chunk, adam.cu's scalars). */
    private static final Set<String> WITH_SHARED_MEMORY = Set.of("gemm_64x64", "gemm_32x32", "hybrid_loss_grad", "adam_step");

    private static float[] uniform(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return v;
    }

    @Test
    void everyKernelRunsCleanUnderTheSanitizer() {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        KernelGemm plans = new KernelGemm(l -> { }, SMS, new CUdeviceptr(), (1 << 20) / Float.BYTES);
        assertEquals(new KernelGemm.Plan(64, 1, 70), plans.plan(128, 128, 70), "64x64 tiles");
        assertEquals(new KernelGemm.Plan(32, 1, 29), plans.plan(7, 13, 29), "32x32 tiles");
        assertEquals(new KernelGemm.Plan(32, 2, 304), plans.plan(30, 60, 600), "split-K");

        SplittableRandom r = new SplittableRandom(11);
        EmulatedDevice device = new EmulatedDevice(SMS);
        Map<String, EmulatedDevice.KernelStats> stats;
        try (CudaBackend b = new CudaBackend(device)) {
            Buf a = b.alloc(128 * 600), bm = b.alloc(600 * 128), c = b.alloc(128 * 128);
            b.upload(a, uniform(r, 128 * 600));
            b.upload(bm, uniform(r, 600 * 128));
            b.gemm(false, false, 128, 128, 70, 1f, a, 600, bm, 128, 0f, c, 128);
            b.gemm(true, true, 7, 13, 29, 0.5f, a, 7, bm, 29, 1f, c, 13);
            b.gemm(false, true, 30, 60, 600, -1f, a, 600, bm, 600, 0.25f, c, 60);

            Buf out = b.alloc(7 * 13), bias = b.alloc(13), grad = b.alloc(7 * 13), sums = b.alloc(13);
            b.upload(out, uniform(r, 7 * 13));
            b.upload(bias, uniform(r, 13));
            b.upload(grad, uniform(r, 7 * 13));
            b.addBias(out, bias, 7, 13);
            b.biasElu(out, bias, 7, 13);
            b.eluBackward(grad, out, 7 * 13);
            b.columnSums(sums, grad, 7, 13, 0.5f);

            Buf scores = b.alloc(2 * 5 * 10), dScores = b.alloc(2 * 5 * 10), energy = b.alloc(10);
            Buf stats0 = b.alloc(8);
            IntBuf labels = b.allocInt(5);
            b.upload(scores, uniform(r, 100));
            b.uploadInt(labels, 0, new int[] {3, 0, 9, 4, 4}, 0, 5);
            b.energyGrad(dScores, energy, scores, 10, 10, -1f);
            b.energyGrad(dScores, null, scores, 10, 10, 1f);
            b.hybridLossGrad(dScores, stats0, scores, labels, 5, 10, new HybridLossSpec(1f, 1f, 0.1f));

            IntBuf counters = b.allocInt(Counters.SIZE);
            Buf x = b.alloc(37);
            b.uniformFill(x, 37, -1f, 1f, 5, counters, 1);
            b.langevinUpdate(x, grad, 37, 0.1f, 0.01f, 0.5f, 5, counters, 2);
            b.addNoise(x, 37, 0.01f, 5, counters, 3);
            b.clamp(x, 37, -0.5f, 0.5f);
            b.increment(counters, Counters.STEP_LO, 1);
            b.increment(counters, Counters.CURSOR, 2);

            Buf table = b.alloc(6 * 9), rows = b.alloc(3 * 9);
            IntBuf tableLabels = b.allocInt(6), perm = b.allocInt(6), rowLabels = b.allocInt(3);
            b.upload(table, uniform(r, 54));
            b.uploadInt(tableLabels, 0, new int[] {0, 1, 2, 3, 4, 5}, 0, 6);
            b.uploadInt(perm, 0, new int[] {5, 3, 1, 0, 2, 4}, 0, 6);
            b.gatherRows(rows, rowLabels, table, tableLabels, perm, counters, 3, 9);
            b.gatherRows(rows, null, table, null, perm, counters, 3, 9);
            b.scatterRows(table, rows, perm, counters, 3, 9);

            Buf params = b.alloc(300), grads = b.alloc(300), m = b.alloc(300), v = b.alloc(300);
            b.upload(params, uniform(r, 300));
            b.upload(grads, uniform(r, 300));
            b.adamStep(params, grads, m, v, 300, counters, new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 10, 100));

            Patches patches = new Patches(5, 4, 3, 3, 2, 2, 1);
            Buf image = b.alloc(2 * patches.pixels()), cols = b.alloc(2L * patches.positions() * patches.patchSize());
            Buf back = b.alloc(2 * patches.pixels()), shifted = b.alloc(2 * patches.pixels());
            b.upload(image, uniform(r, 2 * patches.pixels()));
            b.im2col(cols, image, patches, 2);
            b.col2im(back, cols, patches, 2);
            b.shiftImages(shifted, image, 2, 5, 4, 3, 2, -1f, 5, counters, 6);
            b.download(back);
            b.download(shifted);

            Buf y = b.alloc(50);
            b.fill(y, 50, 3f);
            b.copy(x, y, 37);
            PhaseTimer timer = b.timer();
            for (int i = 0; i < 2; i++) {
                b.repeatable("timed", () -> {
                    timer.begin("fill");
                    b.fill(y, 50, 4f);
                    timer.end("fill");
                });
            }
            assertTrue(timer.drainMillis().get("fill") >= 0);
            b.download(c);
            b.download(x);
            b.download(rows);
            b.download(params);
            stats = device.kernelStats();
        }

        for (Kernel k : Kernel.values()) {
            EmulatedDevice.KernelStats s = stats.get(k.symbol);
            assertTrue(s != null && s.launches() >= 1, k.symbol + " ran: " + s);
            assertEquals(0, s.findings(), k.symbol + ": " + s);
            assertTrue(s.globalAccesses() > 0, k.symbol + " device memory checked: " + s);
            assertEquals(WITH_SHARED_MEMORY.contains(k.symbol), s.sharedAccesses() > 0,
                    k.symbol + " shared memory checked: " + s);
        }
        assertEquals(Set.of(), Set.copyOf(stats.keySet().stream().filter(n -> n.startsWith("planted")).toList()));
    }
}
