package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ebm4j.Json;
import ebm4j.ProcessRun;
import ebm4j.TinyRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --json} prints one JSON object, the fields of eval.json, and nothing else on stdout;
 * its notes go to stderr. Run in its own JVM, so that anything any part of the program writes to
 * stdout would show.
 */
class EvalJsonTest {
    @Test
    void stdoutIsExactlyTheEvalJsonObject(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("eval");
        ProcessRun r = ProcessRun.run(dir, 300, ProcessRun.javaOnTestClasspath(
                List.of("--add-modules", "jdk.incubator.vector", "-Xss4m", "-Djava.awt.headless=true"),
                Main.class.getName(), "eval", "--json", "--device", "cpu", "-c", TinyRun.folder().toString(),
                "--data-dir", TinyRun.MNIST.toString(), "--limit", "300", "--samples", "20", "--steps", "2",
                "--start-temperature", "0.7", "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        JsonNode printed = exactlyOneJsonObject(r.out());
        assertEquals(Json.read(Files.readString(out.resolve("eval.json"))), printed, "stdout is eval.json's object");
        assertEquals(300, printed.get("test_images").asInt(), printed.toString());
        assertTrue(printed.get("test_accuracy").isNumber() && printed.has("auroc_uniform_energy"), printed.toString());
        assertTrue(r.err().contains("wrote eval.json"), "the note about the files goes to stderr: " + r);
        assertEquals("langevin, 2 steps of alpha 3.0 and sigma 0.01, clamped to [-1, 1] after every step, seed 0,"
                + " from the persistent-chain pool"
                + " (rows chosen at temperature 0.7)", printed.path("sampling").asText(),
                "how the samples were drawn (the tiny run has a pool)");
    }

    /** The text is one JSON object, with nothing but white space after it. */
    static JsonNode exactlyOneJsonObject(String text) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        try (JsonParser parser = mapper.createParser(text)) {
            JsonNode node = mapper.readTree(parser);
            assertTrue(node != null && node.isObject(), "not a JSON object: " + text);
            assertNull(parser.nextToken(), "something follows the JSON object: " + text);
            return node;
        }
    }
}
