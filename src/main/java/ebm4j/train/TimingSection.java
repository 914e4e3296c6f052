package ebm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.report.HtmlReport;
import ebm4j.report.Quantity;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The run report's Timing section, read back from timing.json ({@link Timing#toJson()} plus the
 * device): where the time went, phase by phase with its share, then the throughput figures, each
 * with its unit and rounded to what is worth reading.
 */
final class TimingSection {
    /** The device member that {@link RunFolder} adds to timing.json. */
    static final String DEVICE = "device";

    private static final Map<String, String> PHASES = Map.of(
            TrainStep.DATA, "data (batches, noise on real images)",
            TrainStep.SAMPLING, "Langevin sampling",
            TrainStep.FORWARD_BACKWARD, "forward and backward passes",
            TrainStep.OPTIMIZER, "optimizer (Adam)");

    private record Figure(String label, Function<Double, Quantity> format) {}

    /** Every throughput member of timing.json, in the order shown. */
    private static final Map<String, Figure> FIGURES = figures();

    /** The members the section shows by name; any other is listed as it is, so nothing is hidden. */
    static final Set<String> SHOWN = shown();

    private TimingSection() {}

    private static Map<String, Figure> figures() {
        Map<String, Figure> f = new LinkedHashMap<>();
        f.put(Timing.IMAGES, new Figure("training images", v -> Quantity.count(v, "")));
        f.put(Timing.IMAGES_PER_S, new Figure("training speed", v -> Quantity.significant(v, 3, "images/s")));
        f.put(Timing.LANGEVIN_STEPS, new Figure("Langevin steps", v -> Quantity.count(v, "")));
        f.put(Timing.LANGEVIN_STEPS_PER_S, new Figure("Langevin speed", v -> Quantity.significant(v, 3, "steps/s")));
        f.put(Timing.MS_PER_LANGEVIN_STEP, new Figure("time per Langevin step", Quantity::duration));
        f.put(Timing.GFLOP, new Figure("GEMM work", v -> Quantity.significant(v, 3, "GFLOP")));
        f.put(Timing.GFLOPS_PER_S, new Figure("achieved, whole training step",
                v -> Quantity.significant(v, 3, "GFLOP/s")));
        f.put(Timing.LANGEVIN_GFLOPS_PER_S, new Figure("achieved, Langevin sampling",
                v -> Quantity.significant(v, 3, "GFLOP/s")));
        f.put(Timing.PEAK_RSS_MIB, new Figure("peak resident memory of the process",
                v -> Quantity.significant(v, 3, "MiB")));
        return f;
    }

    private static Set<String> shown() {
        List<String> keys = new ArrayList<>(FIGURES.keySet());
        keys.add(DEVICE);
        keys.add(Timing.PHASES_MS);
        return Set.copyOf(keys);
    }

    /** Adds the section for timing.json's contents. */
    static void addTo(HtmlReport r, JsonNode timing) {
        r.section("Timing");
        r.paragraph("On " + timing.path(DEVICE).asText("?") + ". Milliseconds are measured per phase (host clocks on"
                + " the CPU, CUDA events on the GPU); GFLOP counts the GEMMs' multiply-adds only.");
        r.subheading("Where the time went");
        r.table(List.of("phase", "time", "share of training"), phaseRows(timing.path(Timing.PHASES_MS)));
        r.subheading("Throughput");
        Map<String, Object> rows = new LinkedHashMap<>();
        FIGURES.forEach((key, figure) -> {
            if (timing.has(key)) {
                rows.put(figure.label(), figure.format().apply(Json.number(timing, key)));
            }
        });
        timing.fields().forEachRemaining(e -> {
            if (!SHOWN.contains(e.getKey())) {
                rows.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText());
            }
        });
        r.keyValues(rows);
    }

    /** One row per training phase with its share of the training time, the total, then the evaluation. */
    private static List<List<Object>> phaseRows(JsonNode phases) {
        double training = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = phases.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            training += e.getKey().equals(Timing.EVALUATION) ? 0 : e.getValue().asDouble();
        }
        List<List<Object>> rows = new ArrayList<>();
        double total = training;
        phases.fields().forEachRemaining(e -> {
            if (!e.getKey().equals(Timing.EVALUATION)) {
                double ms = e.getValue().asDouble();
                rows.add(List.of(PHASES.getOrDefault(e.getKey(), e.getKey()), Quantity.duration(ms),
                        Quantity.percent(total > 0 ? ms / total : Double.NaN, 1)));
            }
        });
        rows.add(List.of("training, all phases", Quantity.duration(training), Quantity.percent(1, 1)));
        if (phases.has(Timing.EVALUATION)) {
            rows.add(List.of("test-set evaluation after each epoch (not training)",
                    Quantity.duration(phases.get(Timing.EVALUATION).asDouble()), Quantity.missing()));
        }
        return rows;
    }
}
