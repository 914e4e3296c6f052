package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.TempFiles;
import ebm4j.config.ConfigLoader;
import ebm4j.data.ImageShape;
import ebm4j.model.Checkpoint;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's other edges: names, sizes, log files, outputs that cannot be written, a full disk,
 * an empty test set. Each is exit 2 with one line naming the problem, found before long work
 * where it can be, and leaves no run folder or half-written file behind.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UserErrorsBeforeWorkTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path trained;

    @BeforeAll
    static void tinyRun() {
        data = TinyData.write(dir.resolve("data"), 60, 20);
        assertEquals(0, CliTest.run(TinyData.train(data, dir, "trained")).code());
        trained = dir.resolve("trained");
    }

    private static boolean isEmptyOrAbsent(Path folder) throws Exception {
        if (!Files.exists(folder)) {
            return true;
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.findAny().isEmpty();
        }
    }

    /** Issue: --name . wrote into --out itself; names could hold newlines. */
    @Test
    void runNamesArePlain() throws Exception {
        Path out = dir.resolve("names");
        for (String name : new String[] {".", "..", "a/b", "a\nb", "tab\there", " ", "../up"}) {
            CliTest.assertUsageError(CliTest.run(TinyData.train(data, out, name)), "--name must be a plain folder name");
        }
        assertTrue(isEmptyOrAbsent(out), "no folder was created");
        CliTest.assertUsageError(CliTest.run("train", "--device", "cpu", "--resume", trained.toString(), "--name",
                ".."), "--name must be a plain folder name");
    }

    /** Issue: --hidden 65536,65536 passed validation, then failed to allocate, leaving a run folder. */
    @Test
    void aModelTooLargeForMemoryIsRefusedBeforeItsFolderExists() throws Exception {
        Path out = dir.resolve("huge");
        CliTest.Run r = CliTest.run(TinyData.train(data, out, "h", "--hidden", "65536,65536"));
        CliTest.assertUsageError(r, "at most 536,870,911");
        assertTrue(r.err().contains("--hidden-dims 65536,65536"), r.err());
        assertTrue(isEmptyOrAbsent(out), "no run folder");
    }

    /** noise_chains must split evenly over the data set's classes, which only the data knows. */
    @Test
    void noiseChainsThatDoNotSplitOverTheClassesAreRefusedBeforeTheFolderExists() throws Exception {
        Path out = dir.resolve("unbalanced");
        CliTest.Run r = CliTest.run(TinyData.train(data, out, "u", "--noise-chains", "6", "--noise-chain-life", "4"));
        CliTest.assertUsageError(r, "noise_chains (6) must be a multiple of the 4 classes");
        assertTrue(isEmptyOrAbsent(out), "no run folder");
    }

    /**
     * Issue: consistent checkpoints of a 784→5 or a 100→10 model loaded, then failed with index
     * errors in eval and sample. Now each command checks the model against what it does: eval and
     * train --resume against the data, sample against --class.
     */
    @Test
    void consistentModelsOfAnotherShapeAreRefusedWhereTheyDoNotFit() throws Exception {
        Checkpoint.Loaded base = Checkpoint.load(trained);
        ModelSpec[] specs = {new ModelSpec("mlp", ImageShape.MNIST, 5, List.of(8)),
            new ModelSpec("mlp", new ImageShape(1, 100, 1), 10, List.of(8)),
            new ModelSpec("mlp", new ImageShape(TinyData.SIDE, TinyData.SIDE, 1), TinyData.CLASSES - 1, List.of(8))};
        for (ModelSpec spec : specs) {
            Path ck = dir.resolve("other-model-" + spec.inputs() + "-" + spec.classes());
            int n = (int) Models.type("mlp").parameterCount(spec);
            Checkpoint.save(ck, spec, Models.type("mlp").initialParameters(spec, 1),
                    ConfigLoader.with(base.config(), Map.of("hidden_dims", "8"), "the test"),
                    new Checkpoint.TrainState(new float[n], new float[n], base.state().counters(), base.state().epoch(),
                            base.state().batchInEpoch(), new float[20 * spec.inputs()]));
            CliTest.assertUsageError(CliTest.run("eval", "--device", "cpu", "-c", ck.toString(), "--ood", "none"),
                    "but the model takes " + spec.input() + " images in " + spec.classes() + " classes");
            CliTest.assertUsageError(CliTest.run("train", "--device", "cpu", "--resume", ck.toString(), "--epochs", "3",
                    "--out", dir.resolve("other-runs").toString()), "but the data");
            Path png = dir.resolve("other.png");
            CliTest.Run r = CliTest.run("sample", "--device", "cpu", "-c", ck.toString(), "-n", "4", "--steps", "1",
                    "-o", png.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.size(png) > 0);
            CliTest.assertUsageError(CliTest.run("sample", "--device", "cpu", "-c", ck.toString(), "--class",
                    Integer.toString(spec.classes()), "-o", png.toString()), "--class must be in 0.." + (spec.classes() - 1));
        }
        assertTrue(isEmptyOrAbsent(dir.resolve("other-runs")), "no run folder for a refused resume");
    }

    /** Issue: --log-file metrics.jsonl lost the log; --log-file checkpoints was an internal error. */
    @Test
    void logFilesCannotTakeTheRunFoldersOwnNames() throws Exception {
        Path out = dir.resolve("logs");
        for (String name : new String[] {"metrics.jsonl", "checkpoints", "figures", "timing.json", "report.html",
            "parent.json", "eval", ".lock", ".hidden.log", dir.resolve("elsewhere").resolve("metrics.jsonl").toString()}) {
            CliTest.assertUsageError(CliTest.run(TinyData.train(data, out, "l", "--log-file", name)), "uses itself");
        }
        CliTest.assertUsageError(CliTest.run(TinyData.train(data, out, "l", "--log-file", dir.toString())), "is a folder");
        CliTest.assertUsageError(CliTest.run(TinyData.train(data, out, "l", "--log-file",
                dir.resolve("missing").resolve("x.log").toString())), "does not exist");
        CliTest.assertUsageError(CliTest.run(TinyData.train(data, out, "l", "--log-file",
                out.resolve("l").resolve("figures").resolve("x.log").toString())), "inside the run folder");
        assertTrue(isEmptyOrAbsent(out), "no run folder");
    }

    /** The original took a path for --log_file: the log goes there, and the run folder keeps its copy. */
    @Test
    void aLogFilePathIsWrittenThereAndCopiedIntoTheRunFolder() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("my-logs"));
        Path log = logs.resolve("train.log");
        CliTest.Run r = CliTest.run(TinyData.train(data, dir, "logpath", "--log_file", log.toString()));
        assertEquals(0, r.code(), r.err());
        String there = Files.readString(log), copy = Files.readString(dir.resolve("logpath").resolve("train.log"));
        assertTrue(there.contains("Epoch 2/2"), there);
        assertEquals(there, copy);
    }

    /** Issue: sample -o <folder> or onto a read-only file system was an internal error after sampling. */
    @Test
    void sampleOutputsThatCannotBeWrittenAreRefusedBeforeSampling() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String[][] cases = {{dir.toString(), "is a folder"}, {"/proc/ebm4j-test.png", "cannot write"},
            {file.resolve("x.png").toString(), "is not a folder"}};
        for (String[] c : cases) {
            // --steps 100000 x 100000 images: the error must come before any of that work
            CliTest.Run r = CliTest.run("sample", "--device", "cpu", "-c", trained.toString(), "-n", "100000",
                    "--steps", "100000", "-o", c[0]);
            CliTest.assertUsageError(r, c[1]);
        }
    }

    /** Sampler settings out of range are one usage error each, before any chain runs. */
    @Test
    void samplerSettingsOutOfRangeAreRefusedBeforeSampling() {
        String[][] cases = {{"--clamp-every", "-1"}, {"--start-noise-max", "-1"}, {"--start-noise-max", "1.5"},
            {"--start-noise-max", "NaN"}, {"--steps", "-1"}, {"--alpha", "NaN"}, {"--sigma", "-0.1"}};
        for (String[] c : cases) {
            CliTest.Run r = CliTest.run("sample", "--device", "cpu", "-c", trained.toString(), "-n", "100000",
                    "--init", "noise", c[0], c[1], "-o", dir.resolve("never.png").toString());
            CliTest.assertUsageError(r, "--clamp-every >= 0, --start-noise-max in (-1, 1]");
        }
        assertFalse(Files.exists(dir.resolve("never.png")));
    }

    /** Issue: eval --out onto an unwritable place failed only after computing everything. */
    @Test
    void evalOutputsThatCannotBeWrittenAreRefusedBeforeEvaluating() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        for (String out : new String[] {"/proc/ebm4j-eval", file.toString(), file.resolve("sub").toString()}) {
            CliTest.Run r = CliTest.run("eval", "--device", "cpu", "-c", trained.toString(), "--ood", "none",
                    "--samples", "100000", "--steps", "100000", "--out", out);
            CliTest.assertUsageError(r, out);
            assertFalse(r.out().contains("test_accuracy"), "nothing was evaluated: " + r.out());
        }
    }

    /** Issue: 0 test images gave NaN test metrics logged as if valid, and eval failed inside AUROC. */
    @Test
    void anEmptyTestSetSkipsTestMetricsInTrainingAndIsRefusedByEval() throws Exception {
        Path empty = TinyData.write(dir.resolve("no-test-data"), 60, 0);
        CliTest.Run r = CliTest.run(TinyData.train(empty, dir, "notest"));
        assertEquals(0, r.code(), r.err());
        Path run = dir.resolve("notest");
        String log = Files.readString(run.resolve("ebm_training.log"));
        assertTrue(log.contains("the test set is empty") && log.contains("| no test images |"), log);
        assertFalse(log.contains("NaN"), log);
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode m = Json.read(line);
            assertTrue(m.get("test_acc").isNull() && m.get("test_loss").isNull(), line);
        }
        CliTest.assertUsageError(CliTest.run("eval", "--device", "cpu", "-c", run.toString(), "--ood", "none"),
                "has no images");
    }

    /**
     * Issue: a full disk while checkpointing was "internal error: IOException", with nothing in the
     * log and a half-written state file left. Here a real process whose files may not exceed 64 KiB
     * (bash's ulimit -f; the checkpoint's pool alone is 128 KiB) fails at its first checkpoint.
     */
    @Test
    void aFullDiskWhileCheckpointingIsAUserErrorThatLeavesNoPartialFiles() throws Exception {
        Ebm4jProcess p = Ebm4jProcess.startWithFileSizeLimit(dir, 64,
                TinyData.train(data, dir, "full", "--replay-size", "500"));
        int code = p.await(120);
        String out = p.output();
        assertEquals(2, code, out);
        Path run = dir.resolve("full");
        Path step = run.resolve("checkpoints").resolve("step-000000002");
        assertTrue(out.contains("ebm4j: error: cannot write checkpoint " + step) && out.contains("File too large"), out);
        assertFalse(out.contains("internal error"), out);
        assertTrue(Files.readString(run.resolve("ebm_training.log")).contains("error: cannot write checkpoint"),
                "the log says why the run ended");
        try (Stream<Path> walk = Files.walk(run)) {
            List<Path> left = walk.filter(f -> TempFiles.isTemporary(f) || f.endsWith(Checkpoint.STATE_FILE)).toList();
            assertEquals(List.of(), left, "no temporary or half-written files");
        }
        assertFalse(Files.exists(step), "the incomplete checkpoint folder is removed");
    }
}
