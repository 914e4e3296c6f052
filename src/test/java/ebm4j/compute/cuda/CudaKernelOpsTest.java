package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import ebm4j.compute.AdamSpec;
import ebm4j.compute.HybridLossSpec;
import jcuda.driver.CUdeviceptr;

/**
 * The launch marshalling without any device: every op's launch matches its kernel's signature,
 * its grid covers the work (or the grid-stride loop does), and the GEMM plans for the model's
 * products on an H200 (132 SMs) are the intended ones.
 */
class CudaKernelOpsTest {
    private final List<Launch> launches = new ArrayList<>();
    private final Launcher recorder = l -> launches.add(l.check());
    private static final int SMS = 132;

    private static CudaBuf buf(long n) {
        return CudaBuf.unowned(new CUdeviceptr().withByteOffset(1 << 20), n);
    }

    private static CudaIntBuf ints(long n) {
        return CudaIntBuf.unowned(new CUdeviceptr().withByteOffset(2 << 20), n);
    }

    private Launch only() {
        assertEquals(1, launches.size(), launches.toString());
        Launch l = launches.get(0);
        launches.clear();
        return l;
    }

    /** Threads of a 1-D launch, capped grids covering the rest by their grid-stride loop. */
    private static void coversOrStrides(Launch l, long work) {
        long threads = (long) l.gridX * l.block;
        assertTrue(threads >= work || l.gridX == KernelOps.gridCap(SMS), l + " for " + work);
    }

    @Test
    void everyOpLaunchesItsKernelWithMatchingArguments() {
        KernelOps ops = new KernelOps(recorder, SMS);
        long n = 128L * 784;
        ops.fill(buf(n), n, 1f);
        coversOrStrides(only(), n);
        ops.biasElu(buf(n), buf(784), 128, 784);
        coversOrStrides(only(), n);
        ops.addBias(buf(n), buf(784), 128, 784);
        coversOrStrides(only(), n);
        ops.eluBackward(buf(n), buf(n), n);
        coversOrStrides(only(), n);
        ops.columnSums(buf(515), buf(128 * 515), 128, 515, 0f);
        Launch cs = only();
        assertTrue(cs.gridX * cs.block >= 515);
        ops.energyGrad(buf(1000 * 10), null, buf(1000 * 10), 1000, 10, 1f);
        Launch eg = only();
        assertTrue(eg.gridX * eg.block >= 1000);
        assertEquals(new CUdeviceptr().toString(), eg.values().get(1).toString(), "no energy: the null pointer");
        ops.hybridLossGrad(buf(1280), buf(8), buf(1280), ints(64), 64, 10, HybridLossSpec.REFERENCE);
        Launch hl = only();
        assertEquals(1, hl.gridX);
        assertEquals(KernelOps.LOSS_THREADS, hl.block);
        ops.uniformFill(buf(n), n, -1f, 1f, 7, ints(4), 1);
        coversOrStrides(only(), (n + 3) / 4);
        ops.langevinUpdate(buf(n), buf(n), n, 0.1f, 0.01f, 0f, 7, ints(4), 16);
        coversOrStrides(only(), (n + 3) / 4);
        ops.addNoise(buf(n), n, 0.1f, 7, ints(4), 2);
        coversOrStrides(only(), (n + 3) / 4);
        ops.clamp(buf(n), n, -1f, 1f);
        coversOrStrides(only(), n);
        ops.gatherRows(buf(n), ints(128), buf(60000L * 784), ints(60000), ints(60000), ints(4), 128, 784);
        Launch g = only();
        coversOrStrides(g, n);
        assertEquals(60000L, g.values().get(8), "table rows");
        assertEquals(60000L, g.values().get(9), "permutation size");
        ops.increment(ints(4), 0, 1);
        assertEquals(1, only().gridX);
        ops.adamStep(buf(669_706), buf(669_706), buf(669_706), buf(669_706), 669_706, ints(4), AdamSpec.standard(1e-3f));
        coversOrStrides(only(), 669_706);
        ops.timerMark(new CUdeviceptr(), 3, true);
        assertEquals(List.of(new CUdeviceptr().toString(), 3, 1), List.of(only().values().get(0).toString(), 3, 1));
    }

    @Test
    void emptyOpsLaunchNothingAndBadSizesAreRejected() {
        KernelOps ops = new KernelOps(recorder, SMS);
        ops.fill(buf(0), 0, 1f);
        ops.clamp(buf(4), 0, 0f, 1f);
        ops.biasElu(buf(0), buf(0), 0, 0);
        assertTrue(launches.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ops.fill(buf(3), 4, 0f));
        assertThrows(IllegalArgumentException.class, () -> ops.biasElu(buf(12), buf(3), 3, 4));
        assertThrows(IllegalArgumentException.class, () -> ops.hybridLossGrad(buf(40), buf(8), buf(40), ints(1), 2, 10,
                HybridLossSpec.REFERENCE));
        assertThrows(IllegalArgumentException.class, () -> ops.langevinUpdate(buf(8), buf(8), 8, 0f, 0f, 0f, 1, ints(1), 0));
        assertThrows(IllegalArgumentException.class, () -> ops.increment(ints(4), 4, 1));
        assertThrows(IllegalArgumentException.class, () -> ops.increment(ints(1), 0, 1));
    }

    @Test
    void aLaunchWithWrongArgumentsIsRefusedBeforeTheDriver() {
        Launch l = Launch.of(Kernel.CLAMP, 1, 256).ptr(new CUdeviceptr()).i32(5).f32(0f).f32(1f);
        IllegalStateException e = assertThrows(IllegalStateException.class, l::check);
        assertTrue(e.getMessage().contains("clamp takes (ptr i64 f32 f32)"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Launch.of(Kernel.FILL, 0, 256).ptr(null).i64(1).f32(0f).check());
        assertThrows(IllegalStateException.class, () -> Launch.of(Kernel.FILL, 1, 2048).ptr(null).i64(1).f32(0f).check());
    }

    /**
     * The model's products (batch 64, stacked 128, 784-512-512-512-10) on 132 SMs: forward and
     * data-gradient GEMMs are batch-thin, so 32x32 tiles with split-K; weight gradients have
     * enough tiles on their own.
     */
    @Test
    void gemmPlansForTheModelOnAnH200() {
        KernelGemm g = new KernelGemm(recorder, SMS, new CUdeviceptr(), 2L << 20);
        assertEquals(new KernelGemm.Plan(32, 4, 208), g.plan(64, 512, 784), "sampler forward, layer 1");
        assertEquals(new KernelGemm.Plan(32, 4, 128), g.plan(64, 512, 512), "sampler forward, hidden layers");
        assertEquals(new KernelGemm.Plan(32, 2, 400), g.plan(128, 512, 784), "stacked forward, layer 1");
        assertEquals(new KernelGemm.Plan(32, 4, 128), g.plan(64, 10, 512), "output layer: 2 tiles, 4 splits");
        assertEquals(new KernelGemm.Plan(32, 1, 10), g.plan(64, 512, 10), "dY.W4^T: K = 10, no split");
        assertEquals(new KernelGemm.Plan(32, 1, 128), g.plan(784, 512, 128), "weight gradient, layer 1: 400 tiles");
        assertEquals(new KernelGemm.Plan(64, 1, 64), g.plan(1024, 1024, 64), "big products take the 64x64 tile");

        g.gemm(false, true, 64, 784, 512, 1f, new CUdeviceptr(), 512, new CUdeviceptr(), 512, 0f, new CUdeviceptr(), 784);
        assertEquals(2, launches.size(), "split product: the GEMM and its reduction");
        Launch main = launches.get(0), reduce = launches.get(1);
        assertEquals(Kernel.GEMM_32X32, main.kernel);
        assertEquals(List.of(25, 2, 2, 256), List.of(main.gridX, main.gridY, main.gridZ, main.block), "50 tiles, 2 splits");
        assertEquals(Kernel.GEMM_SPLITK_REDUCE, reduce.kernel);
        assertEquals(2, reduce.values().get(5), "splits");
        launches.clear();

        KernelGemm noWorkspace = new KernelGemm(recorder, SMS, null, 0);
        assertEquals(new KernelGemm.Plan(32, 1, 784), noWorkspace.plan(64, 512, 784), "no workspace, no split");
        noWorkspace.gemm(false, false, 0, 5, 5, 1f, null, 5, null, 5, 0f, null, 5);
        assertTrue(launches.isEmpty(), "an empty product launches nothing");
    }
}
