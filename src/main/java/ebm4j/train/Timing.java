package ebm4j.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The run's timing report: milliseconds per phase (host clocks on the CPU, CUDA events on the
 * GPU), and throughput derived from counted work: images/s, Langevin steps/s (one step = one
 * forward and one backward-to-input pass over a batch) and achieved GFLOP/s from the multiply-adds
 * of the GEMMs (elementwise work is not counted), and the process's peak resident memory so far.
 */
public final class Timing {
    /** The phase that evaluates the test set after each epoch (not part of the training time). */
    public static final String EVALUATION = "evaluation";

    /** The members of {@link #toJson()} (timing.json), which the run report reads back. */
    public static final String PHASES_MS = "phases_ms", IMAGES = "images", LANGEVIN_STEPS = "langevin_steps",
            IMAGES_PER_S = "images_per_s", LANGEVIN_STEPS_PER_S = "langevin_steps_per_s",
            MS_PER_LANGEVIN_STEP = "ms_per_langevin_step", GFLOP = "gflop", GFLOPS_PER_S = "gflops_per_s",
            LANGEVIN_GFLOPS_PER_S = "langevin_gflops_per_s",
            PEAK_RSS_MIB = "peak_rss_mib";

    private final double flopsPerFullBatch;
    private final double flopsPerLangevinStep;
    private final Map<String, Double> totalMillis = new LinkedHashMap<>();
    private final Map<String, Double> epochMillis = new LinkedHashMap<>();
    private long images;
    private long langevinSteps;
    private double flops;
    private long epochImages;
    private long epochLangevinSteps;
    private double epochFlops;
    private int batchSize;

    public Timing(double flopsPerFullBatch, double flopsPerLangevinStep) {
        this.flopsPerFullBatch = flopsPerFullBatch;
        this.flopsPerLangevinStep = flopsPerLangevinStep;
    }

    /** Counts one queued training step of {@code rows} images (partial batches scale the FLOPs). */
    void countStep(int rows, int steps) {
        batchSize = Math.max(batchSize, rows);
        double scale = (double) rows / Math.max(batchSize, 1);
        images += rows;
        epochImages += rows;
        langevinSteps += steps;
        epochLangevinSteps += steps;
        flops += flopsPerFullBatch * scale;
        epochFlops += flopsPerFullBatch * scale;
    }

    void addPhases(Map<String, Double> millis) {
        millis.forEach((k, v) -> {
            totalMillis.merge(k, v, Double::sum);
            epochMillis.merge(k, v, Double::sum);
        });
    }

    void addEvaluation(double millis) {
        addPhases(Map.of(EVALUATION, millis));
    }

    private static double trainingMillis(Map<String, Double> phases) {
        return phases.entrySet().stream().filter(e -> !e.getKey().equals(EVALUATION))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    public double imagesPerSecond() {
        return images / (trainingMillis(totalMillis) / 1000.0);
    }

    /** One fixed-format line per epoch; resets the per-epoch figures. */
    String epochLine(int epoch) {
        double trainMs = trainingMillis(epochMillis);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "timing epoch %d:", epoch));
        epochMillis.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.0f ms", k, v)));
        double seconds = trainMs / 1000.0;
        double langevinSeconds = epochMillis.getOrDefault(TrainStep.SAMPLING, 0.0) / 1000.0;
        sb.append(String.format(Locale.ROOT, " | %.1f img/s, %.1f Langevin steps/s, %.2f GFLOP/s",
                epochImages / seconds, langevinSeconds > 0 ? epochLangevinSteps / langevinSeconds : 0.0,
                epochFlops / seconds / 1e9));
        epochMillis.clear();
        epochImages = 0;
        epochLangevinSteps = 0;
        epochFlops = 0;
        return sb.toString();
    }

    /** The whole run, for timing.json. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        double trainMs = trainingMillis(totalMillis);
        m.put(PHASES_MS, new LinkedHashMap<>(totalMillis));
        m.put(IMAGES, images);
        m.put(LANGEVIN_STEPS, langevinSteps);
        m.put(IMAGES_PER_S, images / (trainMs / 1000.0));
        double langevinMs = totalMillis.getOrDefault(TrainStep.SAMPLING, 0.0);
        m.put(LANGEVIN_STEPS_PER_S, langevinMs > 0 ? langevinSteps / (langevinMs / 1000.0) : 0.0);
        m.put(MS_PER_LANGEVIN_STEP, langevinSteps > 0 ? langevinMs / langevinSteps : 0.0);
        m.put(GFLOP, flops / 1e9);
        m.put(GFLOPS_PER_S, flops / (trainMs / 1000.0) / 1e9);
        m.put(LANGEVIN_GFLOPS_PER_S, langevinMs > 0
                ? langevinSteps * flopsPerLangevinStep / (langevinMs / 1000.0) / 1e9 : 0.0);
        PeakMemory.residentMiB().ifPresent(mib -> m.put(PEAK_RSS_MIB, mib));
        return m;
    }
}
