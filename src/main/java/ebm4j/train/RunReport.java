package ebm4j.train;

import ebm4j.config.TrainConfig;
import ebm4j.eval.EvaluationFiles;
import ebm4j.eval.EvaluationSection;
import ebm4j.report.HtmlReport;
import ebm4j.report.Quantity;
import ebm4j.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes {@code report.html}: one self-contained page per run (config, per-epoch metrics, curves,
 * sample grids over the epochs, timing, and eval results when {@code eval/eval.json} is present:
 * {@code ebm4j eval --out RUN/eval} rewrites the page with them). Images are referenced by
 * relative path, so the page opens from disk with no server.
 */
public final class RunReport {
    private RunReport() {}

    /**
     * Rewrites the report of a finished run folder from what it holds on disk (metrics.jsonl,
     * timing.json, figures, eval/), e.g. after an evaluation was added.
     */
    public static void rewrite(Path runRoot, TrainConfig config) throws IOException {
        RunFolder run = new RunFolder(runRoot);
        String device = "?";
        Path timing = runRoot.resolve("timing.json");
        if (Files.exists(timing)) {
            device = Json.read(Files.readString(timing)).path(TimingSection.DEVICE).asText("?");
        }
        write(run, config, device, run.readMetrics());
    }

    public static void write(RunFolder run, TrainConfig config, String device, List<EpochMetrics> history)
            throws IOException {
        HtmlReport r = new HtmlReport("ebm4j run " + run.root().getFileName());
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("device", device);
        about.put("folder", run.root().toAbsolutePath().toString());
        r.section("Run").keyValues(about);
        r.section("Configuration").keyValues(config.toProperties());

        r.section("Metrics per epoch");
        List<String> header = List.of("epoch", "batches", "train loss", "CE", "gen", "E real", "E sample",
                "train acc", "test CE", "test acc", "test ECE", "images/s", "time");
        List<List<Object>> rows = new ArrayList<>();
        for (EpochMetrics m : history) {
            rows.add(List.of(m.epoch(), m.batches(), Quantity.significant(m.trainLoss(), 4, ""),
                    Quantity.significant(m.trainClf(), 4, ""), Quantity.significant(m.trainGen(), 4, ""),
                    Quantity.significant(m.energyReal(), 4, ""), Quantity.significant(m.energySample(), 4, ""),
                    Quantity.percent(m.trainAccuracy(), 2), Quantity.significant(m.testLoss(), 4, ""),
                    Quantity.percent(m.testAccuracy(), 2), Quantity.percent(m.testEce(), 2),
                    Quantity.significant(m.imagesPerSecond(), 3, ""), Quantity.duration(m.seconds() * 1000)));
        }
        r.table(header, rows);
        r.image("figures/loss_curves.png", "Loss, accuracy and mean energies per epoch");

        r.section("Samples");
        r.image("figures/real_images.png", "Real training images");
        for (Path grid : generatedGrids(run)) {
            r.image("figures/" + grid.getFileName(), grid.getFileName().toString().replace(".png", ""));
        }
        Path fin = run.figures().resolve("final_generated_images.png");
        if (Files.exists(fin)) {
            r.image("figures/final_generated_images.png", "Final negatives (last training batch)");
        }

        Path timing = run.root().resolve("timing.json");
        if (Files.exists(timing)) {
            TimingSection.addTo(r, Json.read(Files.readString(timing)));
        }
        Path eval = run.root().resolve("eval").resolve(EvaluationFiles.JSON);
        if (Files.exists(eval)) {
            EvaluationSection.addTo(r, Json.read(Files.readString(eval)));
            Path dir = run.root().resolve("eval");
            if (Files.exists(dir.resolve(EvaluationFiles.HISTOGRAM))) {
                r.image("eval/" + EvaluationFiles.HISTOGRAM, "Energies of test images, samples and OOD data");
            }
            if (Files.exists(dir.resolve(EvaluationFiles.SAMPLES))) {
                r.image("eval/" + EvaluationFiles.SAMPLES, "Samples drawn by the evaluation");
            }
            if (Files.exists(dir.resolve(EvaluationFiles.CONDITIONAL))) {
                r.image("eval/" + EvaluationFiles.CONDITIONAL, "Class-conditional samples, one column per class");
            }
        }
        Path page = run.root().resolve(RunFolder.REPORT);
        RunFolder.writing(page, () -> ebm4j.TempFiles.writeString(page, r.render())); // atomic: a reload never sees half
    }

    private static List<Path> generatedGrids(RunFolder run) throws IOException {
        Map<Integer, Path> byEpoch = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.list(run.figures())) {
            s.forEach(p -> {
                String n = p.getFileName().toString();
                if (n.startsWith("generated_epoch_") && n.endsWith(".png")) {
                    try {
                        byEpoch.put(Integer.parseInt(n.substring(16, n.length() - 4)), p);
                    } catch (NumberFormatException e) {
                        // not one of ours
                    }
                }
            });
        }
        return new ArrayList<>(byEpoch.values());
    }
}
