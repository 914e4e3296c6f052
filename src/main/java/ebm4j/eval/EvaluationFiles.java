package ebm4j.eval;

import ebm4j.Json;
import ebm4j.data.ImageShape;
import ebm4j.report.Chart;
import ebm4j.report.ImageGrid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code eval --out DIR} writes: {@value #JSON} (the figures), {@value #HISTOGRAM}, and the
 * sample grids {@value #SAMPLES} and {@value #CONDITIONAL} (one column per class). The run report
 * reads the same names.
 */
public final class EvaluationFiles {
    public static final String JSON = "eval.json", HISTOGRAM = "energy_histogram.png", SAMPLES = "samples.png",
            CONDITIONAL = "conditional_samples.png";

    private EvaluationFiles() {}

    /** Writes every file into {@code dir} (created if needed). */
    public static void write(Path dir, Evaluation.Result result, ImageShape shape, int classes) throws IOException {
        Files.createDirectories(dir);
        ebm4j.TempFiles.writeString(dir.resolve(JSON), Json.writePretty(result.figures()) + "\n");
        List<Chart.Samples> series = new ArrayList<>();
        result.energies().forEach((name, e) -> series.add(new Chart.Samples(name, e)));
        Chart.histograms(dir.resolve(HISTOGRAM), "Energies", "E(x)", series, 60);
        int count = result.samples().length / shape.pixels();
        ImageGrid.write(dir.resolve(SAMPLES), result.samples(), Math.min(count, 64), 8, shape.height(), shape.width(),
                shape.channels());
        if (result.conditional() != null) {
            // row r of the conditional samples asked for class r % classes: that many columns put one class per column
            int rows = Math.min(count, 10 * classes) / classes * classes;
            if (rows > 0) {
                ImageGrid.write(dir.resolve(CONDITIONAL), result.conditional(), rows, classes, shape.height(),
                        shape.width(), shape.channels());
            }
        }
    }
}
