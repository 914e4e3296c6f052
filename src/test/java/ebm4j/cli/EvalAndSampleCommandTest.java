package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `sample` and `eval` on a checkpoint trained for a few seconds. */
class EvalAndSampleCommandTest {
    private static final Path DATA = Path.of("data/mnist").toAbsolutePath();
    @TempDir
    static Path dir;

    @BeforeAll
    static void trainTinyModels() {
        try {
            new ebm4j.data.MnistFetcher().ensure(DATA);
        } catch (ebm4j.UserException e) {
            org.junit.jupiter.api.Assumptions.abort("MNIST unavailable: " + e.getMessage());
        }
        for (String objective : new String[] {"joint", "classifier"}) {
            // the seed recipe with an energy penalty and a persistent-chain pool (which sample and eval start from)
            CliTest.Run r = CliTest.run("train", "--config", "seed", "--device", "cpu", "--data-dir", DATA.toString(),
                    "--out", dir.toString(), "--name", objective, "--epochs", "1", "--train-subset", "2000",
                    "--hidden", "32,32", "--langevin_steps", "5", "--energy-l2", "0.1", "--replay-size", "200",
                    "--objective", objective);
            assertEquals(0, r.code(), r.err());
        }
    }

    @Test
    void sampleWritesAGridOfTheRequestedSize() throws Exception {
        Path png = dir.resolve("s.png");
        CliTest.Run r = CliTest.run("sample", "--device", "cpu", "-c", dir.resolve("joint").toString(), "-n", "10",
                "--columns", "5", "--class", "3", "--steps", "5", "-o", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(2, img.getHeight() / (28 * 2), "two rows of 2x-scaled tiles");
        assertEquals(5, img.getWidth() / (28 * 2), "five columns");
    }

    /** eval into RUN/eval leaves sample grids there and adds the evaluation to RUN/report.html. */
    @Test
    void evalIntoTheRunFolderAddsItsResultsToTheReport() throws Exception {
        Path run = dir.resolve("joint");
        assertFalse(Files.readString(run.resolve("report.html")).contains("eval/conditional_samples.png"));
        CliTest.Run r = CliTest.run("eval", "--device", "cpu", "-c", run.toString(), "--data-dir", DATA.toString(),
                "--limit", "500", "--samples", "20", "--steps", "3", "--out", run.resolve("eval").toString());
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"eval.json", "energy_histogram.png", "samples.png", "conditional_samples.png"}) {
            assertTrue(Files.size(run.resolve("eval").resolve(f)) > 0, f);
        }
        BufferedImage grid = ImageIO.read(run.resolve("eval").resolve("conditional_samples.png").toFile());
        assertEquals(10, grid.getWidth() / (28 * 2), "one column per digit");
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("Evaluation") && html.contains("Out-of-distribution detection")
                && html.contains("eval/conditional_samples.png") && html.contains("Metrics per epoch"), html);
    }

    @Test
    void chainsStartFromThePoolOnlyWhenTheCheckpointHasOne() throws Exception {
        Path png = dir.resolve("p.png");
        for (String init : new String[] {"pool", "noise", "auto"}) {
            CliTest.Run r = CliTest.run("sample", "--device", "cpu", "-c", dir.resolve("joint").toString(), "-n", "4",
                    "--steps", "2", "--init", init, "-o", png.toString());
            assertEquals(0, r.code(), init + ": " + r.err());
        }
        CliTest.Run r = CliTest.run("sample", "--device", "cpu", "-c", dir.resolve("classifier").toString(),
                "--init", "pool", "-o", png.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no persistent-chain pool"), r.err());
        r = CliTest.run("sample", "--device", "cpu", "-c", dir.resolve("joint").toString(), "--init", "buffer",
                "-o", png.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("expected one of auto, pool, noise, got 'buffer'"), r.err());
    }

    @Test
    void evalReportsClassifierCalibrationOodAndJudgeFigures() throws Exception {
        Path out = dir.resolve("eval");
        CliTest.Run r = CliTest.run("eval", "--device", "cpu", "-c", dir.resolve("joint").toString(), "--data-dir",
                DATA.toString(), "--limit", "1000", "--samples", "40", "--steps", "5", "--judge",
                dir.resolve("classifier").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = Json.read(Files.readString(out.resolve("eval.json")));
        double acc = m.get("test_accuracy").doubleValue();
        assertTrue(acc > 0.25 && acc <= 1, "accuracy " + acc);
        double ece = m.get("test_ece").doubleValue();
        assertTrue(ece >= 0 && ece < 1, "ece " + ece);
        for (String k : new String[] {"auroc_uniform_energy", "auroc_uniform_max_softmax", "sample_mean_energy",
            "test_mean_energy"}) {
            double v = m.get(k).doubleValue();
            assertTrue(Double.isFinite(v), k + " = " + v);
        }
        JsonNode judge = m.get("judges").get(0);
        assertEquals(dir.resolve("classifier").toString(), judge.get("checkpoint").asText().replaceAll("/checkpoints/.*", ""));
        for (String k : new String[] {"conditional_accuracy", "conditional_worst_class_accuracy",
            "unconditional_confidence", "unconditional_confident_fraction"}) {
            double v = judge.get(k).doubleValue();
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        assertTrue(judge.get("conditional_worst_class_accuracy").doubleValue()
                <= judge.get("conditional_accuracy").doubleValue(), judge.toString());
        assertEquals(10, judge.get("conditional_accuracy_per_class").size());
        int counted = 0;
        for (JsonNode c : judge.get("unconditional_class_counts")) {
            counted += c.asInt();
        }
        assertEquals(40, counted, "every unconditional sample lands in one class");
        // even a briefly trained model tells uniform noise from digits by its energy
        assertTrue(m.get("auroc_uniform_energy").doubleValue() > 0.9, "AUROC vs noise " + m.get("auroc_uniform_energy"));
        if (Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist"))) {
            assertTrue(m.has("auroc_fashion_energy"), m.toString());
        }
        assertTrue(Files.size(out.resolve("energy_histogram.png")) > 0);
    }
}
