package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume never rewrites history (issue 14): the newest checkpoint of a run continues it in place;
 * any other checkpoint, or another --name, branches into a new folder that records its parent,
 * while the parent stays byte for byte as it was; a finished run has nothing to do and writes
 * nothing; hyperparameters given with --resume apply or are refused, never ignored.
 */
class ResumeAndBranchTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void tinyData() {
        data = TinyData.write(dir.resolve("data"), 60, 20);
    }

    private static Path trained(String name, String... extra) {
        CliTest.Run r = CliTest.run(TinyData.train(data, dir, name, extra));
        assertEquals(0, r.code(), r.err());
        return dir.resolve(name);
    }

    private static Path step(Path run, int step) {
        return run.resolve("checkpoints").resolve(String.format("step-%09d", step));
    }

    private static List<String> metrics(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl"));
    }

    /** Issue case 1: B's checkpoints were pruned and its metrics replaced. */
    @Test
    void resumingIntoAnotherRunsFolderIsRefused() {
        Path a = trained("a1", "--max-batches", "8"); // unfinished: resuming it would train
        Path b = trained("b1");
        Map<String, String> before = FolderSnapshot.of(b);
        CliTest.Run r = CliTest.run("train", "--device", "cpu", "--resume", a.toString(), "--name", "b1", "--out",
                dir.toString());
        CliTest.assertUsageError(r, "already holds a run");
        assertEquals(before, FolderSnapshot.of(b), "the other run must not change");
    }

    /** Issue case 2: resuming an older checkpoint deleted 17 checkpoints and overwrote step-7. */
    @Test
    void resumingAnOlderCheckpointBranchesAndLeavesTheParentAlone() throws IOException {
        Path parent = trained("p2");
        Map<String, String> before = FolderSnapshot.of(parent);
        Path from = step(parent, 8); // epoch 2, batch 2
        CliTest.Run r = CliTest.run("train", "--device", "cpu", "--resume", from.toString(), "--epochs", "3",
                "--keep", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(before, FolderSnapshot.of(parent), "the parent run must not change");

        Path branch = dir.resolve("p2-branch-8");
        JsonNode record = Json.read(Files.readString(branch.resolve("parent.json")));
        assertEquals(parent.toAbsolutePath().toString(), record.get("parent_run").asText());
        assertEquals(from.toAbsolutePath().toString(), record.get("checkpoint").asText());
        assertEquals(8, record.get("step").asInt());
        assertEquals(1, record.get("epoch").asInt());
        assertEquals(2, record.get("batch_in_epoch").asInt());
        List<String> m = metrics(branch);
        assertEquals(3, m.size(), "the parent's epoch 1, then epochs 2 and 3: " + m);
        assertEquals(metrics(parent).get(0), m.get(0), "the shared epoch is the parent's record");
        assertEquals(3, Checkpoint.load(branch).state().epoch(), "the branch trained to its end");
        assertTrue(Files.readString(branch.resolve("ebm_training.log")).contains("branching from " + from.toAbsolutePath()));
        assertTrue(Files.exists(branch.resolve("figures").resolve("generated_epoch_1.png")), "shared grid copied");

        // the same command again would have to write into the branch: refused
        CliTest.assertUsageError(CliTest.run("train", "--device", "cpu", "--resume", from.toString(), "--epochs", "3"),
                "already holds a run");
        // continuing an older checkpoint inside its own run would rewrite that run: refused, nothing touched
        CliTest.assertUsageError(CliTest.run("train", "--device", "cpu", "--resume", from.toString(), "--name", "p2"),
                "would rewrite its history");
        assertEquals(before, FolderSnapshot.of(parent));
    }

    @Test
    void resumingTheNewestCheckpointContinuesTheRunInItsFolder() throws IOException {
        Path run = trained("c3", "--max-batches", "8");
        assertEquals(8, Checkpoint.step(Checkpoint.newest(run.resolve("checkpoints"))));
        CliTest.Run r = CliTest.run("train", "--device", "cpu", "--resume", run.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(12, Checkpoint.step(Checkpoint.newest(run.resolve("checkpoints"))));
        assertEquals(2, metrics(run).size());
        assertTrue(Files.readString(run.resolve("ebm_training.log")).contains("continuing run"));
        try (var s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("c3-branch")), "no branch");
        }
    }

    /** Issue case 3: a finished run "resumed" replaced timing.json with empty timing and rewrote report.html. */
    @Test
    void resumingAFinishedRunHasNothingToDoAndWritesNothing() throws IOException {
        Path run = trained("f4");
        Map<String, String> before = FolderSnapshot.of(run);
        for (String[] extra : new String[][] {{}, {"--epochs", "2"}}) {
            CliTest.Run r = CliTest.run(TinyData.with(new String[] {"train", "--device", "cpu", "--resume",
                run.toString()}, extra));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("nothing to train and nothing written"), r.out());
            assertEquals(before, FolderSnapshot.of(run));
        }
        CliTest.assertUsageError(CliTest.run("train", "--device", "cpu", "--resume", run.toString(), "--epochs", "1"),
                "ends before");
        assertEquals(before, FolderSnapshot.of(run));

        // more epochs extend the run in place
        CliTest.Run r = CliTest.run("train", "--device", "cpu", "--resume", run.toString(), "--epochs", "3");
        assertEquals(0, r.code(), r.err());
        assertEquals(3, metrics(run).size());
        assertEquals(3, Checkpoint.load(run).config().epochs());
        assertTrue(Files.readString(run.resolve("ebm_training.log")).contains("resumed with epochs 3 (the checkpoint had 2)"));
    }

    /** Issue case 6: every hyperparameter given with --resume was silently ignored. */
    @Test
    void hyperparametersGivenWithResumeApplyOrAreRefused() throws IOException {
        Path run = trained("h5", "--max-batches", "8");
        Map<String, String> before = FolderSnapshot.of(run);
        String[] resume = {"train", "--device", "cpu", "--resume", run.toString()};
        CliTest.Run r = CliTest.run(TinyData.with(resume, "--hidden", "16,16", "--langevin_steps", "5"));
        CliTest.assertUsageError(r, "--hidden-dims 16,16 (the run has 8,8)");
        assertTrue(r.err().contains("--langevin-steps 5 (the run has 2)"), r.err());
        CliTest.assertUsageError(CliTest.run(TinyData.with(resume, "--config", "seed")), "--config seed cannot");
        CliTest.assertUsageError(CliTest.run(TinyData.with(resume, "--config", "/nonexistent")), "--config");
        CliTest.assertUsageError(CliTest.run(TinyData.with(resume, "--lr", "banana")), "lr must be");
        CliTest.assertUsageError(CliTest.run(TinyData.with(resume, "--train-subset", "30")), "--train-subset 30");
        assertEquals(before, FolderSnapshot.of(run), "refused resumes write nothing");

        // --lr applies (from the next batch); a fixed value that repeats the run's own is accepted
        r = CliTest.run(TinyData.with(resume, "--lr", "0.0005", "--hidden", "8,8", "--batch-size", "10"));
        assertEquals(0, r.code(), r.err());
        assertEquals(0.0005f, Checkpoint.load(run).config().lr());
        assertTrue(Files.readString(run.resolve("ebm_training.log")).contains("resumed with lr 5.0E-4 (the checkpoint had"
                + " 0.001)"));
    }

    @Test
    void resumingWithAnotherNameBranchesEvenFromTheNewestCheckpoint() throws IOException {
        Path parent = trained("n6", "--max-batches", "8");
        Map<String, String> before = FolderSnapshot.of(parent);
        CliTest.Run r = CliTest.run("train", "--device", "cpu", "--resume", parent.toString(), "--name", "n6-other");
        assertEquals(0, r.code(), r.err());
        assertEquals(before, FolderSnapshot.of(parent));
        Path branch = dir.resolve("n6-other");
        assertEquals(parent.toAbsolutePath().toString(),
                Json.read(Files.readString(branch.resolve("parent.json"))).get("parent_run").asText());
        assertEquals(2, Checkpoint.load(branch).state().epoch());
    }
}
