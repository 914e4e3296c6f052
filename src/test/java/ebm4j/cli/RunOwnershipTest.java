package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.model.Checkpoint;
import ebm4j.train.RunLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run folder has one owner (issue 14): a second writer, started together with the first or
 * while it trains, gets exit 2 naming the holder; a lock left by a killed process is taken over
 * and the leftovers of the killed run are removed; eval writes into a run folder only for that
 * run's own checkpoints, and never while the run trains. Real processes where it matters.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunOwnershipTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void tinyData() {
        data = TinyData.write(dir.resolve("data"), 60, 20);
    }

    /** A run that trains for a while: many epochs of the tiny set. */
    private static String[] longRun(String name) {
        return TinyData.train(data, dir, name, "--epochs", "400");
    }

    @Test
    void aSecondWriterIsRefusedNamingTheHolder() throws Exception {
        Ebm4jProcess first = Ebm4jProcess.start(dir, longRun("busy"));
        try {
            first.awaitOutput("Epoch 1/400", 120);
            Path run = dir.resolve("busy");
            String holder = "in use by pid " + first.process.pid();
            CliTest.assertUsageError(CliTest.run(TinyData.train(data, dir, "busy")), holder);
            CliTest.assertUsageError(CliTest.run("train", "--device", "cpu", "--resume", run.toString(), "--epochs",
                    "500"), holder);
            CliTest.assertUsageError(CliTest.run("eval", "--device", "cpu", "-c", run.toString(), "--ood", "none",
                    "--samples", "10", "--steps", "1", "--out", run.resolve("eval").toString()), holder);
            assertFalse(Files.exists(run.resolve("eval")), "the refused eval wrote nothing");
            assertTrue(first.process.isAlive(), "the first run is unharmed");
        } finally {
            first.signal("TERM");
            assertEquals(143, first.await(120), first.output());
        }
    }

    /** Issue case 5: two runs 0.3 s apart into one folder mixed their files and one crashed. */
    @Test
    void twoRunsStartedTogetherLeaveOneWinnerAndAnIntactRun() throws Exception {
        String[] args = TinyData.train(data, dir, "race", "--epochs", "3");
        Ebm4jProcess a = Ebm4jProcess.start(dir, args);
        Ebm4jProcess b = Ebm4jProcess.start(dir, args);
        int codeA = a.await(180), codeB = b.await(180);
        List<Integer> codes = List.of(Math.min(codeA, codeB), Math.max(codeA, codeB));
        assertEquals(List.of(0, 2), codes, "one wins, one is refused:\n" + a.output() + "\n---\n" + b.output());
        Ebm4jProcess loser = codeA == 2 ? a : b;
        assertTrue(loser.output().contains("in use by") || loser.output().contains("already holds a run"),
                loser.output());
        Path run = dir.resolve("race");
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size(), "one run's epochs, each once: " + metrics);
        for (int e = 1; e <= 3; e++) {
            assertTrue(metrics.get(e - 1).startsWith("{\"epoch\":" + e + ","), metrics.get(e - 1));
        }
        assertEquals(3, Checkpoint.load(run).state().epoch());
    }

    @Test
    void aKilledRunsLockAndLeftoversAreTakenOverAtTheNextStart() throws Exception {
        Ebm4jProcess killed = Ebm4jProcess.start(dir, longRun("killed"));
        killed.awaitOutput("Epoch 2/400", 120);
        killed.process.destroyForcibly(); // SIGKILL: the lock file stays, its OS lock goes with the process
        killed.await(60);
        Path run = dir.resolve("killed");
        assertTrue(Files.readString(run.resolve(RunLock.FILE)).contains("\"pid\":" + killed.process.pid()));
        Path newest = Checkpoint.newest(run.resolve("checkpoints"));
        // what a kill at a worse moment leaves: temporary files and a checkpoint folder without its model file
        Path tmp = Files.writeString(newest.resolve(".model.safetensors123456.tmp"), "half");
        Path incomplete = Files.createDirectories(run.resolve("checkpoints").resolve("step-000009999"));
        Files.writeString(incomplete.resolve(Checkpoint.STATE_FILE), "half a state");
        Files.writeString(incomplete.resolve(".train_state.safetensors99.tmp"), "x");
        Path metricsTmp = Files.writeString(run.resolve(".metrics42.tmp"), "x");
        Path foreign = Files.createDirectories(run.resolve("checkpoints").resolve("step-000009998"));
        Files.writeString(foreign.resolve("notes.txt"), "not ebm4j's");

        int end = Checkpoint.load(run).state().epoch() + 1; // finish the epoch it was killed in
        CliTest.Run r = CliTest.run("train", "--device", "cpu", "--resume", run.toString(), "--epochs",
                Integer.toString(end));
        assertEquals(0, r.code(), r.err());
        String log = Files.readString(run.resolve("ebm_training.log"));
        assertTrue(log.contains("took over the run folder from pid " + killed.process.pid()), log);
        // at least the five planted: the temporary file beside the newest checkpoint, the incomplete folder's
        // state file, its temporary file and the folder itself, and the metrics' temporary file (the kill may
        // also have left a temporary file of its own, if it landed during a write)
        java.util.regex.Matcher removed = java.util.regex.Pattern
                .compile("removed (\\d+) files and folders left by an interrupted run").matcher(log);
        assertTrue(removed.find() && Integer.parseInt(removed.group(1)) >= 5, log);
        assertFalse(Files.exists(tmp) || Files.exists(incomplete) || Files.exists(metricsTmp));
        assertTrue(Files.exists(foreign.resolve("notes.txt")), "files ebm4j did not create are left alone");
        assertEquals(end, Checkpoint.load(run).state().epoch());
    }

    /** Issue case 4: eval of run A rewrote run B's report with A's config. */
    @Test
    void evalWritesIntoARunFolderOnlyForThatRunsCheckpoints() throws Exception {
        Path a = dir.resolve("evalA"), b = dir.resolve("evalB");
        assertEquals(0, CliTest.run(TinyData.train(data, dir, "evalA")).code());
        assertEquals(0, CliTest.run(TinyData.train(data, dir, "evalB")).code());
        Map<String, String> beforeA = FolderSnapshot.of(a), beforeB = FolderSnapshot.of(b);
        String[] eval = {"eval", "--device", "cpu", "--ood", "none", "--samples", "10", "--steps", "1"};
        CliTest.assertUsageError(CliTest.run(TinyData.with(eval, "-c", a.toString(), "--out",
                b.resolve("eval").toString())), "not that run's");
        CliTest.assertUsageError(CliTest.run(TinyData.with(eval, "-c", a.toString(), "--out", a.toString())),
                "writes only to " + a.resolve("eval"));
        CliTest.assertUsageError(CliTest.run(TinyData.with(eval, "-c", a.toString(), "--out",
                a.resolve("figures").toString())), "writes only to");
        Path loose = dir.resolve("loose-copy");
        Files.createDirectories(loose);
        Path newest = Checkpoint.newest(a.resolve("checkpoints"));
        for (String f : new String[] {Checkpoint.MODEL_FILE, Checkpoint.STATE_FILE}) {
            Files.copy(newest.resolve(f), loose.resolve(f));
        }
        CliTest.assertUsageError(CliTest.run(TinyData.with(eval, "-c", loose.toString(), "--out",
                a.resolve("eval").toString())), "not that run's");
        assertEquals(beforeA, FolderSnapshot.of(a));
        assertEquals(beforeB, FolderSnapshot.of(b));

        CliTest.Run ok = CliTest.run(TinyData.with(eval, "-c", a.toString(), "--out", a.resolve("eval").toString()));
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.readString(a.resolve("report.html")).contains("Evaluation"));
        assertEquals(beforeB, FolderSnapshot.of(b));
    }
}
