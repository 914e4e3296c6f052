package ebm4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What bench reports, on a tiny network (the figures themselves are not checked: no timed tests). */
class BenchmarkTest {

    private static TrainConfig tiny(int batch) {
        return ConfigLoader.load("seed", Map.of("batch_size", Integer.toString(batch), "langevin_steps", "3",
                "hidden_dims", "24,16"));
    }

    @Test
    @Timeout(120)
    void reportsThroughputTheCeilingAndAPerOpBreakdownOfOneStep(@TempDir Path noData) {
        BenchResult r;
        try (CpuBackend cpu = new CpuBackend(2, GemmChoice.AUTO)) {
            r = new Benchmark(cpu, tiny(8), 1, 3, noData.resolve("absent")).run();
        }
        for (String metric : List.of("train_images_per_s", "sampling_images_per_s", "ms_per_langevin_step",
                "langevin_gflops_per_s", "gemm_ceiling_gflops_per_s", "langevin_pct_of_ceiling",
                "inference_energies_per_s")) {
            Stat s = r.metrics().get(metric);
            assertTrue(s != null && s.median() > 0 && s.min() <= s.median() && s.median() <= s.max(), metric + ": " + s);
        }
        // one step of a 784-24-16-10 network: 3 forward and 3 backward-to-input products, an ELU
        // and its derivative per hidden layer (fused into the products), one softmax gradient, one
        // Langevin update
        Map<String, Double> calls = new HashMap<>();
        for (OpProfile.Entry e : r.breakdown()) {
            String op = e.op();
            if (op.startsWith("gemm")) {
                calls.merge("gemm", e.calls(), Double::sum);
                String fused = op.endsWith(" +biasElu") ? "+biasElu" : op.endsWith(" +eluBackward") ? "+eluBackward" : null;
                if (fused != null) {
                    calls.merge(fused, e.calls(), Double::sum);
                }
                assertTrue(e.flops() > 0 && e.gflopsPerSecond() > 0, e.toString());
            } else {
                calls.merge(op, e.calls(), Double::sum);
            }
            assertTrue(e.millis() > 0, e.toString());
        }
        assertEquals(6.0, calls.get("gemm"), 1e-9);
        assertEquals(2.0, calls.get("+biasElu"), 1e-9);
        assertEquals(2.0, calls.get("+eluBackward"), 1e-9);
        assertFalse(calls.containsKey("biasElu") || calls.containsKey("eluBackward"), "no unfused ELU: " + calls);
        assertEquals(1.0, calls.get("energyGrad"), 1e-9);
        assertEquals(1.0, calls.get("langevinUpdate"), 1e-9);
        assertEquals(1.0 / 3, calls.get("uniformFill"), 1e-9, "one uniform start per 3-step chain");
        assertTrue(r.breakdown().stream().anyMatch(e -> e.op().equals("gemm 8x24x784 NT +biasElu")),
                r.breakdown().toString());

        String table = BenchResult.table(List.of(r));
        assertTrue(table.contains("one Langevin step, op by op") && table.contains("products ")
                && table.contains("langevin_pct_of_ceiling"), table);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ops = (List<Map<String, Object>>) r.toJson().get("langevin_step_breakdown");
        assertEquals(r.breakdown().size(), ops.size());
        assertTrue(ops.get(1).containsKey("ms_per_step") && ops.get(1).containsKey("calls_per_step"), ops.toString());
    }

    @Test
    @Timeout(120)
    void sweepTableHasOneRowPerConfiguration(@TempDir Path noData) {
        Sweep sweep = new Sweep();
        try (CpuBackend cpu = new CpuBackend(1, GemmChoice.AUTO)) {
            for (int batch : List.of(4, 8)) {
                sweep.add("cpu", 1, batch, new Benchmark(cpu, tiny(batch), 0, 1, noData).run(Benchmark.Parts.CORE));
            }
        }
        String[] lines = sweep.table().split("\n");
        assertEquals(4, lines.length, sweep.table());
        assertTrue(lines[2].startsWith("| cpu | 1 | 4 | ") && lines[3].startsWith("| cpu | 1 | 8 | ")
                && lines[3].endsWith(" % |"), sweep.table());
        assertTrue(sweep.rows().get(0).result().breakdown().isEmpty(), "no breakdown in a sweep");
    }
}
