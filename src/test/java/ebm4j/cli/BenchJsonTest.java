package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --json} prints one JSON object and nothing else on stdout, with this schema (other
 * members may be added): {@code config} (batch_size, langevin_steps, hidden_dims, iters, warmup),
 * {@code results} (per device: name, description, and metrics of {median, min, max}) and
 * {@code ratios}. Scripts and the GPU kit parse it, so its shape is part of the interface.
 */
class BenchJsonTest {
    @Test
    void benchJsonFollowsItsSchema() {
        CliTest.Run r = CliTest.run("bench", "--device", "cpu", "--json", "--iters", "2", "--warmup", "0",
                "--batch-size", "4", "--langevin-steps", "2", "--hidden", "8", "--data-dir", "/nonexistent");
        assertEquals(0, r.code(), r.err());
        JsonNode root = Json.read(r.out()); // throws if stdout holds anything but one JSON value
        assertTrue(root.isObject(), r.out());
        JsonNode config = root.get("config");
        assertEquals(4, config.get("batch_size").asInt());
        assertEquals(2, config.get("langevin_steps").asInt());
        assertEquals(2, config.get("iters").asInt());
        assertTrue(config.has("hidden_dims") && config.has("warmup"), config.toString());
        JsonNode results = root.get("results");
        assertTrue(results.isArray() && results.size() == 1, results.toString());
        JsonNode cpu = results.get(0);
        assertEquals("cpu", cpu.get("name").asText());
        assertTrue(cpu.get("description").asText().startsWith("cpu"), cpu.toString());
        for (String metric : List.of("train_images_per_s", "sampling_images_per_s", "inference_energies_per_s",
                "gemm_ceiling_gflops_per_s", "ms_per_langevin_step")) {
            JsonNode m = cpu.get(metric);
            assertTrue(m != null && m.isObject(), metric + " missing: " + cpu);
            double median = m.get("median").asDouble(), min = m.get("min").asDouble(), max = m.get("max").asDouble();
            assertTrue(min > 0 && min <= median && median <= max, metric + ": " + m);
        }
        assertTrue(root.get("ratios").isObject(), root.toString());
    }
}
