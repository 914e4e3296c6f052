package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.config.ConfigLoader;
import ebm4j.data.ImageShape;
import ebm4j.model.Checkpoint;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `compare` on two fake run folders: the table, --json alone on stdout, and exit 2 naming a missing run. */
class CompareCommandTest {
    @TempDir
    Path dir;

    @Test
    void comparesRunsAsATableOrAsOneJsonObject() throws IOException {
        Path a = run("lr-small", "0.001", 0.97), b = run("lr-large", "0.01", 0.91);
        CliTest.Run table = CliTest.run("compare", a.toString(), b.toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().lines().findFirst().orElseThrow().matches(" +lr-small +lr-large"), table.out());
        assertTrue(table.out().contains("\n  lr ") && table.out().matches("(?s).*\n  test_acc +0\\.9700 +0\\.9100\n.*"),
                table.out());

        CliTest.Run json = CliTest.run("compare", "--json", a.toString(), b.toString());
        assertEquals(0, json.code(), json.err());
        JsonNode root = Json.read(json.out()); // the whole of stdout is one JSON value
        assertTrue(root.isObject());
        assertEquals("[\"0.001\",\"0.01\"]", root.get("config").get("lr").toString());
        assertEquals("[0.97,0.91]", root.get("metrics").get("test_acc").toString());
        assertEquals(2, root.get("runs").size());

        Path missing = dir.resolve("no-such-run");
        CliTest.assertUsageError(CliTest.run("compare", a.toString(), missing.toString()), missing.toString());
        CliTest.assertUsageError(CliTest.run("compare"), "RUN");
    }

    private Path run(String name, String lr, double testAccuracy) throws IOException {
        Path root = dir.resolve(name);
        ModelSpec spec = new ModelSpec("mlp", new ImageShape(2, 2, 1), 3, List.of(4));
        Checkpoint.save(root.resolve("checkpoints/step-1"), spec, Models.type("mlp").initialParameters(spec, 1),
                ConfigLoader.load(null, Map.of("lr", lr, "hidden_dims", "4")), null);
        Files.writeString(root.resolve("metrics.jsonl"),
                Json.write(Map.of("epoch", 1, "test_acc", testAccuracy)) + "\n");
        return root;
    }
}
