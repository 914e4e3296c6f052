package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.ProcessRun;
import ebm4j.UserException;
import ebm4j.data.MnistFetcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ebm4j} launcher script on the packaged jar, as a user's terminal runs it (an integration
 * test: failsafe runs it after {@code package}). The JVM prints "WARNING: Using incubator modules:
 * jdk.incubator.vector" whenever the Vector API module is added; no command run through the
 * launcher shows it, on either stream, and everything else still arrives.
 */
class LauncherIT {
    private static final String WARNING = "Using incubator modules";
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path JAR = Path.of(System.getProperty("ebm4j.jar", "target/ebm4j.jar")).toAbsolutePath();

    @BeforeAll
    static void theLauncherRunsThisBuildsJar() {
        // the launcher runs target/ebm4j.jar; a build into another folder (-Debm4j.build.dir) has none there
        Assumptions.assumeTrue(JAR.equals(PROJECT.resolve("target/ebm4j.jar")),
                "the launcher runs target/ebm4j.jar, this build wrote " + JAR);
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run after mvn package");
        // On a fresh clone the first launch also chooses OpenBLAS's kernels and says so on stderr
        // (once per CPU): do that here, so the tests below see what every later launch prints,
        // whichever of them runs first.
        ProcessRun first = ProcessRun.run(PROJECT, 300, List.of("bash", PROJECT.resolve("ebm4j").toString(), "--version"));
        assertEquals(0, first.code(), first.toString());
    }

    /** The premise, and proof that these tests see the warning when it is there. */
    @Test
    void theJvmItselfPrintsTheWarning() {
        ProcessRun r = ProcessRun.run(PROJECT, 60, List.of(ProcessRun.java(), "--add-modules", "jdk.incubator.vector",
                "-jar", JAR.toString(), "--version"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().startsWith("WARNING: " + WARNING + ": jdk.incubator.vector"), r.toString());
    }

    @Test
    void versionHelpAndInfoShowNoWarning() {
        ProcessRun version = launch(PROJECT, "--version");
        assertEquals(0, version.code(), version.toString());
        assertTrue(version.out().startsWith("ebm4j "), version.toString());
        assertEquals("", version.err(), "stderr of --version");
        for (String[] args : new String[][] {{"--help"}, {"train", "--help"}, {"info"}}) {
            ProcessRun r = launch(PROJECT, args);
            assertEquals(0, r.code(), r.toString());
            assertNoWarning(r);
        }
    }

    /** A bad flag, a missing checkpoint: exit 2 and the one line that names the problem, nothing before it. */
    @Test
    void oneLineErrorsAreOneLine(@TempDir Path dir) {
        ProcessRun r = launch(dir, "train", "--epochs", "0");
        assertEquals(2, r.code(), r.toString());
        assertEquals("ebm4j: error: epochs must be an integer in [1, 100000], got '0' (from the command line)\n",
                r.err());
        assertEquals("", r.out());
        r = launch(dir, "sample", "-c", dir.resolve("nothing").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("ebm4j: error: no checkpoint at ") && r.err().lines().count() == 1,
                r.toString());
    }

    /** Running out of Java heap is one line that says how to raise it, not a JVM stack trace. */
    @Test
    void runningOutOfHeapIsOneLine(@TempDir Path dir) {
        Path mnist = mnist();
        // loading MNIST's training images as floats takes 188 MB: far beyond a 32 MB heap
        List<String> cmd = List.of("env", "EBM4J_JAVA_OPTS=-Xmx32m", "bash", PROJECT.resolve("ebm4j").toString(),
                "data", "verify", "--data-dir", mnist.toString());
        ProcessRun r = ProcessRun.run(dir, 300, cmd);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("ebm4j: error: the command needs more Java heap than this JVM's ")
                && r.err().contains("EBM4J_JAVA_OPTS=-Xmx") && r.err().lines().count() == 1, r.toString());
    }

    /** The ordinary work: a short training, samples and an evaluation, each free of the warning. */
    @Test
    void trainSampleAndEvalShowNoWarning(@TempDir Path dir) {
        Path mnist = mnist();
        ProcessRun train = launch(dir, "train", "--device", "cpu", "--data-dir", mnist.toString(), "--out",
                dir.toString(), "--name", "run", "--epochs", "1", "--train-subset", "500", "--hidden", "16",
                "--langevin_steps", "2", "--replay-size", "100");
        assertEquals(0, train.code(), train.toString());
        assertTrue((train.out() + train.err()).contains("epoch 1"), train.toString());
        assertNoWarning(train);
        Path run = dir.resolve("run");
        ProcessRun sample = launch(dir, "sample", "--device", "cpu", "-c", run.toString(), "-n", "4", "--steps", "2",
                "-o", dir.resolve("s.png").toString());
        assertEquals(0, sample.code(), sample.toString());
        assertNoWarning(sample);
        ProcessRun eval = launch(dir, "eval", "--device", "cpu", "-c", run.toString(), "--data-dir", mnist.toString(),
                "--limit", "200", "--samples", "10", "--steps", "1", "--ood", "none");
        assertEquals(0, eval.code(), eval.toString());
        assertTrue(eval.out().contains("test_accuracy"), eval.toString());
        assertNoWarning(eval);
    }

    /** data/mnist, fetched if missing; the test is aborted (not failed) where it cannot be fetched. */
    private static Path mnist() {
        Path mnist = PROJECT.resolve("data/mnist");
        try {
            new MnistFetcher().ensure(mnist);
        } catch (UserException e) {
            Assumptions.abort("MNIST is not available and cannot be fetched here: " + e.getMessage());
        }
        return mnist;
    }

    private static ProcessRun launch(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", PROJECT.resolve("ebm4j").toString()));
        cmd.addAll(List.of(args));
        ProcessRun r = ProcessRun.run(dir, 300, cmd);
        assertFalse(r.err().contains("ebm4j: building"), "the launcher found the jar stale and rebuilt it: " + r);
        return r;
    }

    private static void assertNoWarning(ProcessRun r) {
        assertFalse(r.out().contains(WARNING), "stdout shows the warning: " + r);
        assertFalse(r.err().contains(WARNING), "stderr shows the warning: " + r);
    }
}
