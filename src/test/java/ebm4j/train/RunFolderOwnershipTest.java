package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock, the new-run rules and where the log goes, without training (the CLI tests run real processes). */
class RunFolderOwnershipTest {
    @TempDir
    Path dir;

    @Test
    void theLockHasOneHolderAndIsFreeAgainWhenReleased() {
        Path run = dir.resolve("r");
        try (RunFolder first = RunFolder.create(run)) {
            assertNull(first.takenOverFrom());
            assertEquals("this process", RunLock.holder(run));
            UserException e = assertThrows(UserException.class, () -> RunLock.take(run, "eval"));
            assertTrue(e.getMessage().contains("in use by this process"), e.getMessage());
        }
        assertNull(RunLock.holder(run), "released");
        try (RunFolder again = RunFolder.reopen(run)) {
            // the file of the earlier holder (this process, released) is what a killed run leaves behind
            assertTrue(again.takenOverFrom().startsWith("pid " + ProcessHandle.current().pid() + " on host "),
                    again.takenOverFrom());
        }
    }

    @Test
    void aNewRunNeedsAnEmptyFolder() throws IOException {
        Path run = Files.createDirectories(dir.resolve("r"));
        Files.writeString(run.resolve(RunLock.FILE), "{\"pid\": 1}"); // a lock file alone: a run killed at once
        RunFolder.create(run).close();
        Files.writeString(run.resolve("notes.txt"), "mine");
        UserException e = assertThrows(UserException.class, () -> RunFolder.create(run));
        assertTrue(e.getMessage().contains("not empty") && e.getMessage().contains("notes.txt"), e.getMessage());
        Path file = Files.writeString(dir.resolve("f"), "x");
        e = assertThrows(UserException.class, () -> RunFolder.requireCreatable(file.resolve("r")));
        assertTrue(e.getMessage().contains("is not a folder"), e.getMessage());
    }

    @Test
    void logTargetsArePlainNamesInTheRunFolderOrPathsWithACopyThere() throws IOException {
        Path run = dir.resolve("r").toAbsolutePath();
        assertEquals(List.of(run.resolve("x.log")), RunLog.targets(run, "x.log"));
        Path elsewhere = Files.createDirectories(dir.resolve("logs")).resolve("y.log").toAbsolutePath();
        assertEquals(List.of(run.resolve("y.log"), elsewhere), RunLog.targets(run, elsewhere.toString()));
        assertEquals(List.of(run.resolve("z.log")), RunLog.targets(run, run.resolve("z.log").toString()),
                "a path to the run folder's own copy is that copy");
        for (String bad : new String[] {"metrics.jsonl", "checkpoints", ".x", RunLock.FILE}) {
            UserException e = assertThrows(UserException.class, () -> RunLog.targets(run, bad));
            assertTrue(e.getMessage().contains("uses itself"), e.getMessage());
        }
    }

    @Test
    void bothLogFilesGetEveryLine() throws IOException {
        Path run = Files.createDirectories(dir.resolve("r"));
        Path elsewhere = dir.resolve("y.log");
        try (RunLog log = RunLog.open(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), run,
                elsewhere.toString())) {
            log.info("one %d", 1);
            log.fileOnly("two");
        }
        String copy = Files.readString(run.resolve("y.log"));
        assertEquals(copy, Files.readString(elsewhere));
        assertTrue(copy.contains(" - one 1\n") && copy.contains(" - two\n"), copy);
    }
}
