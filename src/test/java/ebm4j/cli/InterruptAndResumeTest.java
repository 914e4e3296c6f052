package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.model.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety across real processes: SIGINT/SIGTERM save and exit 130/143; kill -9 at random
 * points followed by --resume ends with exactly the weights of an uninterrupted run. The soak
 * loop is bounded in time and reports how many cycles it ran.
 */
class InterruptAndResumeTest {
    private static final Path DATA = Path.of("data/mnist").toAbsolutePath();
    private static final long SOAK_SECONDS = 90;

    @BeforeAll
    static void needMnist() {
        ebm4j.data.MnistFetcher f = new ebm4j.data.MnistFetcher();
        try {
            f.ensure(DATA);
        } catch (ebm4j.UserException e) {
            org.junit.jupiter.api.Assumptions.abort("MNIST unavailable: " + e.getMessage());
        }
    }

    /** A small, quick run: 12 batches per epoch, 3 epochs, a checkpoint every 2 batches. */
    private static String[] trainArgs(Path out, String name, int epochs) {
        List<String> a = new ArrayList<>(List.of("train", "--device", "cpu", "--data-dir", DATA.toString(),
                "--out", out.toString(), "--name", name, "--epochs", Integer.toString(epochs), "--train-subset", "600",
                "--batch_size", "50", "--langevin_steps", "3", "--hidden", "32,32", "--energy-l2", "0.1",
                "--replay-size", "200",
                "--checkpoint-every", "2", "--keep", "2", "--log-every", "1", "--figure-every", "1"));
        return a.toArray(new String[0]);
    }

    private static float[] finalWeights(Path run) {
        Checkpoint.Loaded ck = Checkpoint.load(run);
        assertEquals(3, ck.state().epoch(), "the run should have finished 3 epochs");
        return ck.params();
    }

    /** Waits until the process logs that training began, or ends. */
    private static void awaitTraining(Ebm4jProcess p, long seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end && p.process.isAlive() && !p.output().contains("ebm4j training on")) {
            Thread.sleep(20);
        }
    }

    private static void awaitCheckpoint(Ebm4jProcess p, Path run, long seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Path checkpoints = run.resolve("checkpoints");
        while (System.nanoTime() < end && p.process.isAlive()
                && !(Files.isDirectory(checkpoints) && Checkpoint.newest(checkpoints) != null)) {
            Thread.sleep(20);
        }
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (Files.exists(p)) {
            try (var walk = Files.walk(p)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    @Test
    void sigintAndSigtermSaveACheckpointAndExitWithTheConventionalCodes(@TempDir Path dir) throws Exception {
        for (String[] sig : new String[][] {{"INT", "130"}, {"TERM", "143"}}) {
            Ebm4jProcess p = Ebm4jProcess.startWithDefaultSignals(dir, trainArgs(dir, "sig" + sig[0], 50));
            p.awaitOutput("Epoch 1/50", 120);
            p.signal(sig[0]);
            int code = p.await(120);
            assertEquals(Integer.parseInt(sig[1]), code, p.output());
            assertTrue(p.output().contains("resume with"), p.output());
            Checkpoint.Loaded ck = Checkpoint.load(dir.resolve("sig" + sig[0]));
            assertTrue(ck.state().epoch() >= 1, "the checkpoint should be past epoch 1");
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a 90-second soak of real processes on a busy machine
    void killNineAtRandomPointsThenResumeLosesNothing(@TempDir Path dir) throws Exception {
        Ebm4jProcess straight = Ebm4jProcess.start(dir, trainArgs(dir, "straight", 3));
        assertEquals(0, straight.await(300), straight.output());
        float[] expected = finalWeights(dir.resolve("straight"));

        SplittableRandom random = new SplittableRandom(2026);
        long deadline = System.nanoTime() + SOAK_SECONDS * 1_000_000_000L;
        int cycles = 0, kills = 0, completed = 0, resumes = 0;
        while (System.nanoTime() < deadline) {
            String name = "soak" + cycles;
            Path run = dir.resolve(name);
            boolean finished = false;
            // train, kill -9 after a random delay, resume; the fourth attempt runs to the end
            for (int attempt = 0; attempt < 4 && !finished; attempt++) {
                boolean hasCheckpoint = Files.isDirectory(run.resolve("checkpoints"))
                        && Checkpoint.newest(run.resolve("checkpoints")) != null;
                if (!hasCheckpoint) {
                    deleteTree(run); // killed before its first checkpoint: start over
                }
                Ebm4jProcess p = hasCheckpoint
                        ? Ebm4jProcess.start(dir, "train", "--device", "cpu", "--data-dir", DATA.toString(),
                                "--resume", run.toString(), "--checkpoint-every", "2", "--keep", "2")
                        : Ebm4jProcess.start(dir, trainArgs(dir, name, 3));
                if (attempt < 3) {
                    // the clock starts when training does: JVM start-up and loading MNIST take seconds on a
                    // loaded machine, and kills that all land before the first checkpoint would test no resume
                    awaitTraining(p, 120);
                    if (attempt == 1 && !hasCheckpoint) {
                        // on a machine busy enough that two batches outlast every random delay, kills would all
                        // land before the first checkpoint: let the second attempt write one, then kill at random
                        awaitCheckpoint(p, run, 120);
                    }
                    Thread.sleep(200 + random.nextInt(3000));
                }
                if (attempt < 3 && p.process.isAlive()) {
                    p.process.destroyForcibly(); // SIGKILL: no handler runs
                    p.await(60);
                    kills++;
                } else {
                    assertEquals(0, p.await(300), p.output());
                    finished = true;
                }
                if (hasCheckpoint && p.output().contains("resumed from " + run.resolve("checkpoints"))) {
                    resumes++; // this process really continued from a checkpoint its killed predecessor left
                }
            }
            assertTrue(finished, "the soak run never finished");
            assertArrayEquals(expected, finalWeights(run), "cycle " + cycles + ": weights differ after kill/resume");
            int s = CliTest.run("sample", "--device", "cpu", "--checkpoint", run.toString(), "--count", "8",
                    "--steps", "2", "--output", run.resolve("s.png").toString()).code();
            assertEquals(0, s);
            int e = CliTest.run("eval", "--device", "cpu", "--checkpoint", run.toString(), "--data-dir",
                    DATA.toString(), "--limit", "200", "--samples", "10", "--steps", "2").code();
            assertEquals(0, e);
            completed++;
            cycles++;
        }
        System.out.printf("soak: %d train/kill/resume/sample/eval cycles, %d kill -9s, %d resumes from a checkpoint,"
                + " all %d runs ended with the uninterrupted run's weights bit for bit%n", cycles, kills, resumes, completed);
        assertTrue(completed >= 1);
        // the soak proves something only if processes were killed and their successors resumed
        assertTrue(kills >= 1, "no process was killed: the soak tested nothing");
        assertTrue(resumes >= 1, "no run resumed from a checkpoint after a kill: the soak tested nothing");
    }
}
