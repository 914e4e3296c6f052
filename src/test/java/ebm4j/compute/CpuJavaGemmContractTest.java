package ebm4j.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract on the CPU backend with the Java Vector API products (the fallback when OpenBLAS
 * does not load), plus the Java kernel's edge cases and thread-count independence.
 */
class CpuJavaGemmContractTest extends BackendContractTest {

    @Override
    protected Backend createBackend() {
        return new CpuBackend(2, GemmChoice.JAVA);
    }

    @Test
    void describesTheJavaKernel() {
        assertTrue(backend.describe().startsWith("cpu: 2 threads, GEMM Java Vector API ("), backend.describe());
    }

    /** Every partial register tile (rows 1..9, columns around the panel width) and K past a packing block. */
    @Test
    void gemmHandlesEveryTileEdge() {
        for (int m = 1; m <= 9; m++) {
            for (int n : new int[] {1, 7, 15, 16, 17, 33}) {
                for (int k : new int[] {1, 5, 257}) {
                    checkGemm(m % 2 == 0, n % 2 == 1, m, n, k, 1.5f, m % 3 == 0 ? 0f : 0.5f, 1, 2, 1);
                }
            }
        }
    }

    /**
     * Splitting is the only thing the thread count changes, and every element's arithmetic is the
     * same in a split and an unsplit op (products: each C element is one k-ordered fma chain;
     * elementwise and random ops: per element; column sums: per column; the loss: one thread), so
     * 1, 2 and 3 threads must give the same bits for the whole op set.
     */
    @Test
    void oneTwoAndThreeThreadsGiveIdenticalBits() {
        List<List<float[]>> runs = new ArrayList<>();
        for (int threads = 1; threads <= 3; threads++) {
            try (CpuBackend be = new CpuBackend(threads, GemmChoice.JAVA)) {
                runs.add(runOpSequence(be));
            }
        }
        for (int t = 1; t < runs.size(); t++) {
            for (int i = 0; i < runs.get(0).size(); i++) {
                Parity.assertBitEqual("output " + i + ", 1 vs " + (t + 1) + " threads",
                        runs.get(0).get(i), runs.get(t).get(i));
            }
        }
    }

    @Test
    void systemPropertiesChooseGemmAndThreads() {
        String gemm = System.getProperty(GemmChoice.PROPERTY);
        String threads = System.getProperty(CpuBackend.THREADS_PROPERTY);
        try {
            System.setProperty(GemmChoice.PROPERTY, "java");
            System.setProperty(CpuBackend.THREADS_PROPERTY, "3");
            try (CpuBackend be = new CpuBackend()) {
                assertEquals(3, be.threads());
                assertTrue(be.describe().startsWith("cpu: 3 threads, GEMM Java Vector API"), be.describe());
            }
        } finally {
            restore(GemmChoice.PROPERTY, gemm);
            restore(CpuBackend.THREADS_PROPERTY, threads);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
