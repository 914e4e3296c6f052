package ebm4j.train;

import ebm4j.UserException;
import ebm4j.data.Dataset;
import ebm4j.data.ImageShape;
import ebm4j.report.Chart;
import ebm4j.report.ImageGrid;
import ebm4j.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The folder of one run (DESIGN.md §5) and everything written into it: figures, metrics.jsonl,
 * timing.json, checkpoints/. Creating it checks up front that it is writable, so a bad --out
 * fails before any training time is spent.
 */
public final class RunFolder {
    private static final int GRID = 64;
    private static final int GRID_COLUMNS = 8;
    private final Path root;

    public RunFolder(Path root) {
        this.root = root;
        try {
            Files.createDirectories(figures());
            Files.createDirectories(checkpoints());
            Path probe = Files.createTempFile(root, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new UserException("cannot write the run folder " + root + " (" + e.getMessage()
                    + "); choose another with --out");
        }
    }

    public Path root() {
        return root;
    }

    public Path figures() {
        return root.resolve("figures");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path metricsFile() {
        return metricsFile(root);
    }

    /** Where a run folder keeps its per-epoch metrics. */
    private static Path metricsFile(Path runRoot) {
        return runRoot.resolve("metrics.jsonl");
    }

    void writeRealImages(Dataset train) throws IOException {
        int count = Math.min(GRID, train.count());
        writeGrid("real_images.png", Arrays.copyOf(train.images(), count * train.pixels()), count, train.shape());
    }

    void writeGeneratedImages(int epoch, float[] samples, int rows, ImageShape shape) throws IOException {
        writeGrid("generated_epoch_" + epoch + ".png", samples, rows, shape);
    }

    void writeFinalImages(float[] samples, int rows, ImageShape shape) throws IOException {
        writeGrid("final_generated_images.png", samples, rows, shape);
    }

    private void writeGrid(String name, float[] images, int rows, ImageShape shape) throws IOException {
        ImageGrid.write(figures().resolve(name), images, Math.min(GRID, rows), GRID_COLUMNS, shape.height(),
                shape.width(), shape.channels());
    }

    void appendMetrics(EpochMetrics m) throws IOException {
        Files.writeString(metricsFile(), Json.write(m.toJson()) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * When resuming after {@code completedEpochs} whole epochs: the metrics of those epochs, with
     * anything later (partial epochs of interrupted runs, a line cut short by a crash) removed
     * from metrics.jsonl, so the file again describes one consistent run.
     */
    List<EpochMetrics> restoreMetrics(int completedEpochs) throws IOException {
        if (!Files.exists(metricsFile())) {
            return new ArrayList<>();
        }
        List<EpochMetrics> out = readMetrics();
        out.removeIf(m -> m.epoch() > completedEpochs);
        StringBuilder sb = new StringBuilder();
        out.forEach(m -> sb.append(Json.write(m.toJson())).append('\n'));
        Path tmp = ebm4j.TempFiles.beside(root, ".metrics", ".tmp");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        ebm4j.TempFiles.replace(tmp, metricsFile());
        return out;
    }

    /**
     * The epochs recorded in metrics.jsonl, one per epoch number (a re-run epoch replaces its
     * earlier record); unreadable lines (the tail of a line a crash cut short) are skipped.
     */
    public List<EpochMetrics> readMetrics() throws IOException {
        return readMetrics(root);
    }

    /**
     * {@link #readMetrics()} of the run folder at {@code runRoot}, read-only (constructing a RunFolder
     * creates its subfolders; comparing finished runs must not touch them). Empty when it has none.
     */
    public static List<EpochMetrics> readMetrics(Path runRoot) throws IOException {
        List<EpochMetrics> out = new ArrayList<>();
        Path file = metricsFile(runRoot);
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
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

    void writeLossCurves(List<EpochMetrics> history) throws IOException {
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
        Chart.lines(figures().resolve("loss_curves.png"), "Training curves", List.of(
                new Chart.Panel("Loss", "epoch", "loss", List.of(
                        new Chart.Series("train total", x, train),
                        new Chart.Series("train cross-entropy", x, clf),
                        new Chart.Series("test cross-entropy", x, test))),
                new Chart.Panel("Accuracy", "epoch", "accuracy", List.of(
                        new Chart.Series("test", x, acc),
                        new Chart.Series("train", x, trainAcc))),
                new Chart.Panel("Mean energy", "epoch", "E", List.of(
                        new Chart.Series("real", x, eReal),
                        new Chart.Series("samples", x, eSample)))));
    }

    void writeTiming(Timing timing, String device) throws IOException {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("device", device);
        json.putAll(timing.toJson());
        Files.writeString(root.resolve("timing.json"), Json.write(json) + "\n", StandardCharsets.UTF_8);
    }
}
