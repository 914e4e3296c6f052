package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.UserException;
import ebm4j.config.ConfigLoader;
import ebm4j.data.ImageShape;
import ebm4j.model.Checkpoint;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import ebm4j.model.SafeTensorsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three fake run folders written here: a weights-only checkpoint with a config, metrics.jsonl, and
 * for two of them eval/eval.json. Run a: alpha 1, seed 0, two epochs, an evaluation with a judge;
 * b: alpha 3, seed 0, one epoch, no evaluation; c: alpha 3, seed 1, epoch 1 logged twice (a re-run)
 * then epoch 2, an evaluation with two judges.
 */
class RunComparisonTest {
    private static final ModelSpec SPEC = new ModelSpec("mlp", new ImageShape(2, 2, 1), 3, List.of(4));

    @TempDir
    Path dir;
    Path a, b, c;

    @BeforeEach
    void writeRuns() throws IOException {
        a = run("a", Map.of("langevin_alpha", "1.0", "seed", "0"), List.of(epoch(1, 0.90, 100), epoch(2, 0.95, 110)));
        b = run("b", Map.of("langevin_alpha", "3.0", "seed", "0"), List.of(epoch(1, 0.80, 200)));
        c = run("c", Map.of("langevin_alpha", "3.0", "seed", "1"),
                List.of(epoch(1, 0.10, 300), epoch(1, 0.85, 300), epoch(2, 0.97, 305.5)));
        writeEval(a, "{\"checkpoint\": \"/x\", \"device\": \"cpu\", \"test_accuracy\": 0.95, \"samples\": 200,"
                + " \"auroc_fashion_energy\": 0.99, \"judges\": [{\"checkpoint\": \"/r/judge/checkpoints/step-10\","
                + " \"conditional_accuracy\": 0.9, \"conditional_accuracy_per_class\": [0.8, 1.0],"
                + " \"fd\": {\"1000\": {\"samples\": 12.5, \"train_floor\": 1.25}}}]}");
        writeEval(c, "{\"test_accuracy\": 0.97, \"samples\": 200, \"auroc_fashion_energy\": null, \"judges\": ["
                + "{\"checkpoint\": \"/r/judge/checkpoints/step-10\", \"conditional_accuracy\": 0.95},"
                + "{\"checkpoint\": \"/r/wide/checkpoints/step-7\", \"conditional_accuracy\": 0.5}]}");
    }

    @Test
    void configRowsAreTheKeysThatDiffer() {
        RunComparison cmp = RunComparison.of(List.of(a, b, c));
        assertEquals(List.of("a", "b", "c"), cmp.runs().stream().map(RunComparison.Run::name).toList());
        assertEquals(List.of("seed", "langevin_alpha"), keys(cmp.rows(RunComparison.CONFIG)),
                "only the keys that differ, in the hyperparameters' order");
        assertEquals(List.of("0", "0", "1"), row(cmp, RunComparison.CONFIG, "seed"));
        assertEquals(List.of("1.0", "3.0", "3.0"), row(cmp, RunComparison.CONFIG, "langevin_alpha"));
        assertTrue(RunComparison.of(List.of(a, a.resolve("checkpoints/step-5"))).rows(RunComparison.CONFIG).isEmpty(),
                "a run against its own checkpoint: nothing differs");
    }

    /**
     * Configs are compared as saved: a key that b's checkpoint lacks (an older version) or has extra
     * (a newer one) is a difference, with b's value absent or the others' absent; nothing is refused.
     */
    @Test
    void keysSavedByOtherVersionsAreDifferencesNotErrors() throws IOException {
        Path model = b.resolve("checkpoints/step-5/" + Checkpoint.MODEL_FILE);
        SafeTensorsFiles saved = SafeTensorsFiles.read(model);
        saved.metadata().remove("config.sampler");
        saved.metadata().put("config.future_option", "2");
        saved.write(model);
        RunComparison cmp = RunComparison.of(List.of(a, b, c));
        assertEquals(List.of("seed", "sampler", "langevin_alpha", "future_option"),
                keys(cmp.rows(RunComparison.CONFIG)),
                "in the order saved, keys only later runs have after them");
        assertEquals(Arrays.asList("langevin", null, "langevin"), row(cmp, RunComparison.CONFIG, "sampler"));
        assertEquals(Arrays.asList(null, "2", null), row(cmp, RunComparison.CONFIG, "future_option"));
    }

    @Test
    void metricsRowsAreTheLastEpochAndTheTotalTime() {
        RunComparison cmp = RunComparison.of(List.of(a, b, c));
        assertEquals(List.of("epochs_done", "test_acc", "test_ece", "test_loss", "train_acc", "e_real", "e_sample",
                "test_energy", "images_per_s", "train_seconds"), keys(cmp.rows(RunComparison.METRICS)));
        assertEquals(List.of(2, 1, 2), row(cmp, RunComparison.METRICS, "epochs_done"));
        assertEquals(List.of(0.95, 0.80, 0.97), row(cmp, RunComparison.METRICS, "test_acc"),
                "the last epoch; c's re-run epoch 1 replaced its first record");
        assertEquals(List.of(110.0, 200.0, 305.5), row(cmp, RunComparison.METRICS, "images_per_s"));
        assertEquals(List.of(20.0, 10.0, 20.0), row(cmp, RunComparison.METRICS, "train_seconds"));
    }

    @Test
    void evalRowsAreEveryNumberByPathWithJudgesByName() {
        RunComparison cmp = RunComparison.of(List.of(a, b, c));
        assertEquals(List.of("test_accuracy", "samples", "auroc_fashion_energy", "judges[judge].conditional_accuracy",
                "judges[judge].fd.1000.samples", "judges[judge].fd.1000.train_floor",
                "judges[wide].conditional_accuracy"),
                keys(cmp.rows(RunComparison.EVAL)), "text (checkpoint, device) and per-class vectors are left out");
        assertEquals(Arrays.asList(0.9, null, 0.95), row(cmp, RunComparison.EVAL, "judges[judge].conditional_accuracy"));
        assertEquals(Arrays.asList(12.5, null, null), row(cmp, RunComparison.EVAL, "judges[judge].fd.1000.samples"));
        assertEquals(Arrays.asList(200L, null, 200L), row(cmp, RunComparison.EVAL, "samples"));
        assertEquals(Arrays.asList(0.99, null, null), row(cmp, RunComparison.EVAL, "auroc_fashion_energy"),
                "a null (a non-finite figure) and a missing file both read as absent");
    }

    @Test
    void theTableHasOneColumnPerRunAndAlignsItsCells() {
        String text = RunComparison.of(List.of(a, b, c)).toText();
        String[] lines = text.split("\n");
        assertTrue(lines[0].matches(" +a +b +c"), lines[0]);
        String alpha = line(lines, "  langevin_alpha");
        assertTrue(alpha.matches(" +langevin_alpha +1\\.0 +3\\.0 +3\\.0"), alpha);
        assertEquals(lines[0].length(), alpha.length(), "cells end under their header");
        assertTrue(line(lines, "  test_acc").matches(" +test_acc +0\\.9500 +0\\.8000 +0\\.9700"), text);
        assertTrue(line(lines, "  images_per_s").matches(" +images_per_s +110\\.0 +200\\.0 +305\\.5"), text);
        assertTrue(line(lines, "  judges[wide].conditional_accuracy").matches(".* +- +- +0\\.5000"), text);
        assertTrue(text.contains("config (keys that differ)") && text.contains("last epoch (metrics.jsonl)")
                && text.contains("evaluation (eval/eval.json)"), text);
        assertTrue(text.contains("a: " + a.toAbsolutePath() + " (config from checkpoints" + java.io.File.separator
                + "step-5)"), text);
    }

    @Test
    void theJsonHoldsTheRunsThenEachSectionsValuesInRunOrder() {
        JsonNode json = Json.read(Json.write(RunComparison.of(List.of(a, b, c)).toJson()));
        assertEquals(List.of("runs", "config", "metrics", "eval"), fields(json));
        assertEquals("b", json.get("runs").get(1).get("name").asText());
        assertEquals(b.toAbsolutePath().toString(), json.get("runs").get(1).get("folder").asText());
        assertTrue(json.get("runs").get(1).get("checkpoint").asText().endsWith("step-5"));
        assertEquals("[\"1.0\",\"3.0\",\"3.0\"]", json.get("config").get("langevin_alpha").toString());
        assertEquals("[0.95,0.8,0.97]", json.get("metrics").get("test_acc").toString());
        assertEquals("[12.5,null,null]", json.get("eval").get("judges[judge].fd.1000.samples").toString());
    }

    @Test
    void runsNamedAlikeAreHeadedByTheirPaths() throws IOException {
        Path other = run("x/a", Map.of("seed", "4"), List.of(epoch(1, 0.5, 1)));
        RunComparison cmp = RunComparison.of(List.of(a, other));
        assertEquals(List.of(a.toString(), other.toString()), cmp.runs().stream().map(RunComparison.Run::name).toList());
    }

    @Test
    void aRunWithoutMetricsShowsDashes() throws IOException {
        Files.delete(b.resolve("metrics.jsonl"));
        RunComparison cmp = RunComparison.of(List.of(a, b));
        assertEquals(Arrays.asList(2, null), row(cmp, RunComparison.METRICS, "epochs_done"));
        assertTrue(line(cmp.toText().split("\n"), "  epochs_done").matches(" +epochs_done +2 +-"));
    }

    @Test
    void missingOrUnreadableRunsAreNamed() throws IOException {
        Path missing = dir.resolve("nope");
        UserException e = assertThrows(UserException.class, () -> RunComparison.of(List.of(a, missing)));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        e = assertThrows(UserException.class, () -> RunComparison.of(List.of(empty)));
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("no checkpoint"), e.getMessage());
        Files.writeString(c.resolve("eval/eval.json"), "{\"test_accuracy\": 0.9");
        e = assertThrows(UserException.class, () -> RunComparison.of(List.of(a, c)));
        assertTrue(e.getMessage().contains(c.resolve("eval/eval.json").toString()), e.getMessage());
        Files.writeString(c.resolve("eval/eval.json"), "[1, 2]");
        e = assertThrows(UserException.class, () -> RunComparison.of(List.of(c)));
        assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
    }

    @Test
    void readingARunWritesNothingIntoIt() throws IOException {
        List<String> before = tree(a);
        RunComparison.of(List.of(a, b)).toText();
        assertEquals(before, tree(a));
        assertFalse(Files.exists(a.resolve("figures")), "no RunFolder was constructed on it");
    }

    @Test
    void cellsShowIntegersAsTheyAreAndOtherNumbersByMagnitude() {
        assertEquals("-", RunComparison.cell(null));
        assertEquals("-", RunComparison.cell(Double.NaN));
        assertEquals("15", RunComparison.cell(15));
        assertEquals("0.9870", RunComparison.cell(0.98704));
        assertEquals("-1.3500", RunComparison.cell(-1.35));
        assertEquals("712.3", RunComparison.cell(712.34));
        assertEquals("3020", RunComparison.cell(3019.6));
        assertEquals("512,512,512", RunComparison.cell("512,512,512"));
    }

    // --- fake runs ---

    private Path run(String name, Map<String, String> config, List<EpochMetrics> epochs) throws IOException {
        Path root = dir.resolve(name);
        float[] params = Models.type(SPEC.kind()).initialParameters(SPEC, 1);
        Map<String, String> values = new java.util.HashMap<>(config);
        values.put("hidden_dims", "4"); // the checkpoint's model is the config's
        Checkpoint.save(root.resolve("checkpoints/step-5"), SPEC, params, ConfigLoader.load(null, values), null);
        StringBuilder sb = new StringBuilder();
        epochs.forEach(m -> sb.append(Json.write(m.toJson())).append('\n'));
        Files.writeString(root.resolve("metrics.jsonl"), sb.toString());
        return root;
    }

    private static EpochMetrics epoch(int n, double testAccuracy, double imagesPerSecond) {
        return new EpochMetrics(n, 30, 0.5, 0.4, 0.1, -1.5, 1.5, testAccuracy - 0.01, 0.3, testAccuracy, -1.4, 0.01,
                imagesPerSecond, 10);
    }

    private static void writeEval(Path run, String json) throws IOException {
        Files.createDirectories(run.resolve("eval"));
        Files.writeString(run.resolve("eval/eval.json"), json);
    }

    private static List<String> keys(List<RunComparison.Row> rows) {
        return rows.stream().map(RunComparison.Row::key).toList();
    }

    private static List<Object> row(RunComparison cmp, String section, String key) {
        return cmp.rows(section).stream().filter(r -> r.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + key)).values();
    }

    private static String line(String[] lines, String start) {
        return Stream.of(lines).filter(l -> l.startsWith(start + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + start + " in\n" + String.join("\n", lines)));
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p) + " " + p.toFile().length() + " " + p.toFile().lastModified())
                    .sorted().toList();
        }
    }
}
