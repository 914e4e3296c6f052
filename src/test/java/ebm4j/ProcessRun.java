package ebm4j;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A finished child process: exit code, stdout and stderr kept apart (so a test can say what went to
 * which stream). Both streams are read to their end, i.e. until every process that holds them has
 * closed them (the launcher's stderr filter outlives the JVM by a moment), on their own threads so
 * that a chatty process never blocks on a full pipe.
 */
public record ProcessRun(int code, String out, String err) {

    /** The test JVM's own java binary. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs {@code command} in {@code dir}; a process still running after {@code seconds} is killed and fails the test. */
    public static ProcessRun run(Path dir, long seconds, List<String> command) {
        return run(dir, seconds, Map.of(), command);
    }

    /** As {@link #run(Path, long, List)}, with extra environment variables. */
    public static ProcessRun run(Path dir, long seconds, Map<String, String> env, List<String> command) {
        ExecutorService readers = Executors.newFixedThreadPool(2);
        Process p = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
            pb.environment().putAll(env);
            p = pb.start();
            p.getOutputStream().close();
            Process started = p;
            Future<String> out = readers.submit(() -> new String(started.getInputStream().readAllBytes(), UTF_8));
            Future<String> err = readers.submit(() -> new String(started.getErrorStream().readAllBytes(), UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish within " + seconds + " s");
            }
            long left = Math.max(1, deadline - System.nanoTime());
            return new ProcessRun(p.exitValue(), out.get(left, TimeUnit.NANOSECONDS),
                    err.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (IOException | ExecutionException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new AssertionError(String.join(" ", command) + ": its output did not end within " + seconds + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            readers.shutdownNow();
        }
    }

    /** {@code java <flags> -cp <this JVM's classpath> <mainClass> <args>}: a fresh JVM on the test classpath. */
    public static List<String> javaOnTestClasspath(List<String> flags, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
}
