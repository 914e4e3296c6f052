package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** --fd-n: sizes as asked (each fitting the data), refused without a judge or when too large, before any work. */
    @Test
    void evalMeasuresFrechetDistancesAtTheSizesAsked() throws Exception {
        String joint = dir.resolve("joint").toString(), judge = dir.resolve("classifier").toString();
        CliTest.assertUsageError(CliTest.run("eval", "--device", "cpu", "-c", joint, "--fd-n", "100"),
                "needs a --judge");
        CliTest.assertUsageError(CliTest.run("eval", "--device", "cpu", "-c", joint, "--judge", judge,
                "--fd-n", "1,100"), "at least 2");
        CliTest.assertUsageError(CliTest.run("eval", "--device", "cpu", "-c", joint, "--judge", judge,
                "--fd-n", "many"), "--fd-n");
        CliTest.assertUsageError(CliTest.run("eval", "--device", "cpu", "-c", joint, "--data-dir", DATA.toString(),
                "--judge", judge, "--limit", "300", "--fd-n", "301"),
                "--fd-n 301 needs 301 test images, but there are only 300");
        Path out = dir.resolve("eval-fd");
        CliTest.Run r = withConsole(() -> CliTest.run("eval", "--device", "cpu", "-c", joint, "--data-dir",
                DATA.toString(), "--judge", judge, "--limit", "300", "--samples", "20", "--steps", "2", "--fd-n", "300,100",
                "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        JsonNode fd = Json.read(Files.readString(out.resolve("eval.json"))).get("judges").get(0).get("fd");
        assertEquals(List.of("100", "300"), fieldNames(fd), fd.toString());
        for (String n : new String[] {"100", "300"}) {
            assertTrue(fd.get(n).get("samples").doubleValue() > fd.get(n).get("train_floor").doubleValue(),
                    fd.toString());
        }
        assertFalse(r.err().contains("skipped"), r.err());
    }

    /**
     * Runs the command with System.out and System.err captured too (eval prints its figures and notes
     * there, not to picocli's writers), appended to the run's out and err.
     */
    private static CliTest.Run withConsole(java.util.function.Supplier<CliTest.Run> command) {
        java.io.PrintStream stdout = System.out, stderr = System.err;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        CliTest.Run r;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            r = command.get();
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        return new CliTest.Run(r.code(), r.out() + out.toString(java.nio.charset.StandardCharsets.UTF_8),
                r.err() + err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void evalReportsClassifierCalibrationOodAndJudgeFigures() throws Exception {
        Path out = dir.resolve("eval");
        CliTest.Run r = withConsole(() -> CliTest.run("eval", "--device", "cpu", "-c", dir.resolve("joint").toString(),
                "--data-dir", DATA.toString(), "--limit", "1000", "--samples", "40", "--steps", "5", "--judge",
                dir.resolve("classifier").toString(), "--out", out.toString()));
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
        // each share comes with a 95 % interval around it; with 4 samples per class the worst class's is wide
        for (String[] k : new String[][] {{"conditional_accuracy", "conditional_accuracy_interval"},
            {"conditional_worst_class_accuracy", "conditional_worst_class_interval"},
            {"unconditional_confident_fraction", "unconditional_confident_interval"}}) {
            double v = judge.get(k[0]).doubleValue();
            JsonNode ci = judge.get(k[1]);
            assertTrue(ci.get(0).doubleValue() <= v && v <= ci.get(1).doubleValue(), k[1] + " " + ci + " around " + v);
        }
        JsonNode worstCi = judge.get("conditional_worst_class_interval");
        assertTrue(worstCi.get(1).doubleValue() - worstCi.get(0).doubleValue() > 0.3, "4 samples: " + worstCi);
        // the judge on the same test images: the accuracy its own eval reports, and its confident share
        CliTest.Run own = withConsole(() -> CliTest.run("eval", "--device", "cpu", "-c",
                dir.resolve("classifier").toString(), "--data-dir", DATA.toString(), "--limit", "1000",
                "--samples", "10", "--steps", "1", "--ood", "none", "--json"));
        assertEquals(0, own.code(), own.err());
        assertEquals(Json.read(own.out()).get("test_accuracy").doubleValue(), judge.get("test_accuracy").doubleValue(),
                judge.toString());
        double sureOnTest = judge.get("test_confident_fraction").doubleValue();
        assertTrue(sureOnTest >= 0 && sureOnTest <= 1, "confident share " + sureOnTest);
        // a uniform sampler's counts among 40 samples stray far by chance: the figure says how far
        double chance = judge.get("unconditional_class_max_deviation_by_chance").doubleValue();
        assertTrue(chance > 0.5 && chance < 3, "chance deviation " + chance);
        int counted = 0;
        for (JsonNode c : judge.get("unconditional_class_counts")) {
            counted += c.asInt();
        }
        assertEquals(40, counted, "every unconditional sample lands in one class");
        // the default sizes that fit the 1,000 test images: N = 1,000 only, the 10,000 skipped with a note
        JsonNode fd = judge.get("fd");
        assertEquals(List.of("1000"), fieldNames(fd), fd.toString());
        double samplesFd = fd.get("1000").get("samples").doubleValue();
        double floor = fd.get("1000").get("train_floor").doubleValue();
        assertTrue(floor > 0 && Double.isFinite(samplesFd), fd.toString());
        assertTrue(samplesFd > floor, "samples of a model trained for seconds are farther from the test images than"
                + " training images are: " + fd);
        assertTrue(r.err().contains("Fréchet distance at N=10000 skipped"), r.err());
        assertTrue(r.out().contains("fd N=1000") && r.out().contains("train_floor"), r.out());
        // even a briefly trained model tells uniform noise from digits by its energy
        assertTrue(m.get("auroc_uniform_energy").doubleValue() > 0.9, "AUROC vs noise " + m.get("auroc_uniform_energy"));
        if (Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist"))) {
            assertTrue(m.has("auroc_fashion_energy"), m.toString());
        }
        assertTrue(Files.size(out.resolve("energy_histogram.png")) > 0);
    }
}
