package ebm4j.train;

import ebm4j.Json;
import ebm4j.OutputFiles;
import ebm4j.TempFiles;
import ebm4j.UserException;
import ebm4j.config.ValueType;
import ebm4j.data.Dataset;
import ebm4j.data.ImageShape;
import ebm4j.report.Chart;
import ebm4j.report.ImageGrid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folder of one run (DESIGN.md §5) and everything written into it: figures, metrics.jsonl,
 * timing.json, checkpoints/. A training run opens it with {@link #create} (a new run) or
 * {@link #reopen} (continuing one), which take the folder's {@link RunLock} for the run's
 * lifetime; {@link #close} releases it. Every failed write is a {@link UserException} naming the
 * file (a full disk is the user's problem to solve, not an internal error).
 */
public final class RunFolder implements AutoCloseable {
    public static final String METRICS = "metrics.jsonl", TIMING = "timing.json", REPORT = "report.html",
            PARENT = "parent.json", FIGURES = "figures", CHECKPOINTS = "checkpoints", EVAL = "eval";
    /** Every name the run folder uses itself; names starting with a dot are reserved too (temporary files, the lock). */
    private static final Set<String> OWN_NAMES = Set.of(METRICS, TIMING, REPORT, PARENT, FIGURES, CHECKPOINTS, EVAL);
    private static final ValueType<String> PLAIN_NAME = ValueType.name("a plain folder name");
    private static final int GRID = 64;
    private static final int GRID_COLUMNS = 8;
    private final Path root;
    private final RunLock lock;
    private int leftoversRemoved;

    /**
     * A run folder without its lock, for callers that own the folder otherwise (tests, the report
     * of a folder whose lock the caller holds). Creates figures/ and checkpoints/ and checks that
     * the folder is writable, so a bad --out fails before any training time is spent.
     */
    public RunFolder(Path root) {
        this(root, null);
    }

    private RunFolder(Path root, RunLock lock) {
        this.root = root;
        this.lock = lock;
        try {
            Files.createDirectories(figures());
            Files.createDirectories(checkpoints());
            Path probe = TempFiles.beside(root, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            if (lock != null) {
                lock.close();
            }
            throw new UserException("cannot write the run folder " + root + " (" + reason(e) + "); choose another"
                    + " with --out");
        }
    }

    /**
     * Creates a new run's folder and takes its lock. The folder must not exist, or be empty (a
     * lock file left by a process killed at once does not count).
     */
    public static RunFolder create(Path root) {
        requireCreatable(root);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UserException("cannot write the run folder " + root + " (" + OutputFiles.reason(e)
                    + "); choose another with --out");
        }
        RunLock lock = RunLock.take(root, "train");
        try {
            requireEmpty(root); // again under the lock: another process may have started a run here meanwhile
        } catch (UserException e) {
            lock.close();
            throw e;
        }
        return new RunFolder(root, lock);
    }

    /** Takes the lock of an existing run folder to continue its run, and removes what killed runs left behind. */
    public static RunFolder reopen(Path root) {
        RunLock lock = RunLock.take(root, "train");
        RunFolder run = new RunFolder(root, lock);
        try {
            run.leftoversRemoved = RunLeftovers.clean(root);
        } catch (IOException e) {
            run.close();
            throw new UserException("cannot clean up the run folder " + root + ": " + OutputFiles.reason(e));
        }
        return run;
    }

    /**
     * Checks, without writing anything, that a new run can be created at {@code root}: it does not
     * exist or is an empty folder, and the nearest existing folder above it is a writable folder.
     */
    public static void requireCreatable(Path root) {
        if (Files.exists(root)) {
            requireEmpty(root);
            return;
        }
        Path existing = root.toAbsolutePath().getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new UserException("cannot write the run folder " + root + " (" + existing
                    + (existing != null && Files.isDirectory(existing) ? " is not writable" : " is not a folder")
                    + "); choose another with --out");
        }
    }

    private static void requireEmpty(Path root) {
        if (!Files.isDirectory(root)) {
            throw new UserException("cannot write the run folder " + root + " (it is a file); choose another --name"
                    + " or --out");
        }
        try (Stream<Path> s = Files.list(root)) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(RunLock.FILE)).toList();
            String holder = names.isEmpty() ? null : RunLock.holder(root);
            if (holder != null) {
                throw new UserException("run folder " + root + " is in use by " + holder + "; wait for it to finish,"
                        + " or choose another --name");
            }
            if (!names.isEmpty()) {
                throw new UserException("run folder " + root + " is not empty: it already holds a run or other files ("
                        + String.join(", ", names.subList(0, Math.min(4, names.size()))) + (names.size() > 4 ? ", ..." : "")
                        + "); choose another --name"
                        + (Files.isDirectory(root.resolve(CHECKPOINTS)) ? ", or continue it with --resume " + root : ""));
            }
        } catch (IOException e) {
            throw new UserException("cannot read the run folder " + root + ": " + OutputFiles.reason(e));
        }
    }

    /**
     * A run's name becomes a folder: it must be a plain name (no path separators or control
     * characters, not "." or "..").
     */
    public static void requirePlainName(String name) {
        try {
            PLAIN_NAME.parse(name);
        } catch (IllegalArgumentException e) {
            throw new UserException("--name must be a plain folder name (no / or \\, no control characters, not . or"
                    + " ..), got '" + name.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        if (name.isBlank() || name.length() > 200) {
            throw new UserException("--name must be a plain folder name of 1 to 200 characters, got '" + name + "'");
        }
    }

    /** True when the run folder uses {@code name} itself (its files, folders, lock and temporary files). */
    public static boolean isOwnName(String name) {
        return OWN_NAMES.contains(name) || name.startsWith(".");
    }

    /** The run folder holding a checkpoint folder ({@code RUN/checkpoints/step-N}), or null for a loose checkpoint. */
    public static Path of(Path checkpointDir) {
        Path abs = checkpointDir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || !parent.getFileName().toString().equals(CHECKPOINTS) || parent.getParent() == null) {
            return null;
        }
        return parent.getParent();
    }

    /** What a previous owner left: "pid N on host H (...)" when this process took over a stale lock, else null. */
    public String takenOverFrom() {
        return lock == null ? null : lock.previousHolder();
    }

    /** Files and folders of killed runs that {@link #reopen} removed. */
    public int leftoversRemoved() {
        return leftoversRemoved;
    }

    public Path root() {
        return root;
    }

    public Path figures() {
        return root.resolve(FIGURES);
    }

    public Path checkpoints() {
        return root.resolve(CHECKPOINTS);
    }

    public Path metricsFile() {
        return root.resolve(METRICS);
    }

    @Override
    public void close() {
        if (lock != null) {
            lock.close();
        }
    }

    void writeRealImages(Dataset train) {
        int count = Math.min(GRID, train.count());
        writeGrid("real_images.png", Arrays.copyOf(train.images(), count * train.pixels()), count, train.shape());
    }

    void writeGeneratedImages(int epoch, float[] samples, int rows, ImageShape shape) {
        writeGrid("generated_epoch_" + epoch + ".png", samples, rows, shape);
    }

    void writeFinalImages(float[] samples, int rows, ImageShape shape) {
        writeGrid("final_generated_images.png", samples, rows, shape);
    }

    private void writeGrid(String name, float[] images, int rows, ImageShape shape) {
        Path png = figures().resolve(name);
        writing(png, () -> ImageGrid.write(png, images, Math.min(GRID, rows), GRID_COLUMNS, shape.height(),
                shape.width(), shape.channels()));
    }

    void appendMetrics(EpochMetrics m) {
        writing(metricsFile(), () -> Files.writeString(metricsFile(), Json.write(m.toJson()) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    }

    /**
     * When resuming after {@code completedEpochs} whole epochs: the metrics of those epochs, with
     * anything later (partial epochs of interrupted runs, a line cut short by a crash) removed
     * from metrics.jsonl, so the file again describes one consistent run.
     */
    List<EpochMetrics> restoreMetrics(int completedEpochs) {
        List<EpochMetrics> out = readMetrics(metricsFile());
        if (!Files.exists(metricsFile())) {
            return out;
        }
        out.removeIf(m -> m.epoch() > completedEpochs);
        writeMetrics(metricsFile(), out);
        return out;
    }

    /** Replaces a metrics file with these records (atomically). */
    static void writeMetrics(Path file, List<EpochMetrics> records) {
        StringBuilder sb = new StringBuilder();
        records.forEach(m -> sb.append(Json.write(m.toJson())).append('\n'));
        writing(file, () -> TempFiles.writeString(file, sb.toString()));
    }

    /** The epochs recorded in this run's metrics.jsonl; see {@link #readMetrics(Path)}. */
    public List<EpochMetrics> readMetrics() {
        return readMetrics(metricsFile());
    }

    /**
     * The epochs recorded in the run folder at {@code runRoot}, read-only (constructing a RunFolder
     * creates its subfolders; comparing finished runs must not touch them). Empty when it has none.
     */
    public static List<EpochMetrics> readRunMetrics(Path runRoot) {
        return readMetrics(runRoot.resolve(METRICS));
    }

    /**
     * The epochs recorded in a metrics file, one per epoch number (a re-run epoch replaces its
     * earlier record); unreadable lines (the tail of a line a crash cut short) are skipped.
     */
    static List<EpochMetrics> readMetrics(Path file) {
        List<EpochMetrics> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + OutputFiles.reason(e));
        }
        for (String line : lines) {
            EpochMetrics e;
            try {
                e = EpochMetrics.fromJson(Json.read(line));
            } catch (RuntimeException ex) {
                continue;
            }
            out.removeIf(x -> x.epoch() == e.epoch());
            out.add(e);
        }
        return out;
    }

    void writeLossCurves(List<EpochMetrics> history) {
        int n = history.size();
        double[] x = new double[n], train = new double[n], test = new double[n], clf = new double[n],
                acc = new double[n], trainAcc = new double[n], eReal = new double[n], eSample = new double[n];
        for (int i = 0; i < n; i++) {
            EpochMetrics m = history.get(i);
            x[i] = m.epoch();
            train[i] = m.trainLoss();
            clf[i] = m.trainClf();
            test[i] = m.testLoss();
            acc[i] = m.testAccuracy();
            trainAcc[i] = m.trainAccuracy();
            eReal[i] = m.energyReal();
            eSample[i] = m.energySample();
        }
        Path png = figures().resolve("loss_curves.png");
        writing(png, () -> Chart.lines(png, "Training curves", List.of(
                new Chart.Panel("Loss", "epoch", "loss", List.of(
                        new Chart.Series("train total", x, train),
                        new Chart.Series("train cross-entropy", x, clf),
                        new Chart.Series("test cross-entropy", x, test))),
                new Chart.Panel("Accuracy", "epoch", "accuracy", List.of(
                        new Chart.Series("test", x, acc),
                        new Chart.Series("train", x, trainAcc))),
                new Chart.Panel("Mean energy", "epoch", "E", List.of(
                        new Chart.Series("real", x, eReal),
                        new Chart.Series("samples", x, eSample))))));
    }

    void writeTiming(Timing timing, String device) {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("device", device);
        json.putAll(timing.toJson());
        Path file = root.resolve(TIMING);
        writing(file, () -> TempFiles.writeString(file, Json.write(json) + "\n"));
    }

    /** A write into the run folder. */
    interface Write {
        void run() throws IOException;
    }

    /** Runs a write; a failure becomes a {@link UserException} naming the file and why. */
    static void writing(Path target, Write write) {
        try {
            write.run();
        } catch (IOException e) {
            throw OutputFiles.cannotWrite(target, e);
        }
    }

    private static String reason(Exception e) {
        return e instanceof IOException io ? OutputFiles.reason(io) : e.getMessage();
    }
}
