package ebm4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the CLI in a separate JVM (for signals and kill -9), with the test's classpath. */
final class Ebm4jProcess {
    final Process process;
    final Path output;

    private Ebm4jProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static Ebm4jProcess start(Path workDir, String... args) throws IOException {
        return start(workDir, List.of(), args);
    }

    /**
     * Starts ebm4j with a limit on the size of every file it writes (bash's {@code ulimit -f}, in
     * KiB): writes beyond it fail with "File too large" (the JVM ignores SIGXFSZ), as on a full disk.
     */
    static Ebm4jProcess startWithFileSizeLimit(Path workDir, long kib, String... args) throws IOException {
        return start(workDir, List.of("bash", "-c", "ulimit -f " + kib + " && exec \"$@\"", "bash"), args);
    }

    /**
     * Starts ebm4j with SIGINT and SIGTERM at their default dispositions, for tests that send them.
     * A shell without job control starts background commands with SIGINT ignored, and children
     * inherit that (a build launched with {@code &} from a script, say); a JVM cannot handle a
     * signal it inherited as ignored, so such a child would run on as if never interrupted. GNU
     * env resets the dispositions, as an interactive terminal would have them.
     */
    static Ebm4jProcess startWithDefaultSignals(Path workDir, String... args) throws IOException {
        return start(workDir, List.of("env", "--default-signal=INT,TERM"), args);
    }

    private static Ebm4jProcess start(Path workDir, List<String> prefix, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xss4m", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), "ebm4j.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "ebm4j", ".out");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        return new Ebm4jProcess(p, out);
    }

    String output() throws IOException {
        return Files.readString(output);
    }

    /** Waits for the process; fails the test after the timeout. */
    int await(long seconds) throws IOException, InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ebm4j did not finish within " + seconds + " s:\n" + output());
        }
        return process.exitValue();
    }

    void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Waits until the output contains {@code text} (or the process ends). */
    void awaitOutput(String text, long seconds) throws IOException, InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end && process.isAlive()) {
            if (output().contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        if (!output().contains(text)) {
            throw new AssertionError("'" + text + "' never appeared (alive " + process.isAlive() + ", exit "
                    + (process.isAlive() ? "-" : process.exitValue()) + ", classpath "
                    + System.getProperty("java.class.path") + "):\n" + output());
        }
    }
}
