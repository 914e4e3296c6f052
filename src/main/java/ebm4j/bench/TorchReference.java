package ebm4j.bench;

import ebm4j.UserException;
import ebm4j.config.TrainConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PyTorch reference of the same algorithm (shared/bench/torch_ebm.py) with the same
 * batch, steps and thread count, on the device asked for ({@code --device cpu} or {@code cuda}),
 * and reads its {@code RESULT key=value} lines, so that ebm4j and PyTorch are measured in one run
 * on the same machine.
 */
public final class TorchReference {
    private static final long TIMEOUT_MINUTES = 30;
    private final Path script;
    private final Path dataDir;
    private final int threads;
    private final int batches;
    private final String device;
    private final String python;

    /**
     * @param device torch_ebm.py's {@code --device}: "cpu" or "cuda"
     * @param python the interpreter that has PyTorch (machines differ: Debian's python3-torch is
     *               /usr/bin/python3, a GPU image's is often a virtual environment's python3)
     */
    public TorchReference(Path script, Path dataDir, int threads, int batches, String device, String python) {
        if (!device.equals("cpu") && !device.equals("cuda")) {
            throw new UserException("--torch-device must be cpu or cuda, got '" + device + "'");
        }
        this.script = script;
        this.dataDir = dataDir;
        this.threads = threads;
        this.batches = batches;
        this.device = device;
        this.python = python;
    }

    public BenchResult run(TrainConfig config) throws IOException, InterruptedException {
        if (!Files.isRegularFile(script)) {
            throw new UserException("--torch: no script at " + script);
        }
        int warmup = 3;
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--device", device,
                "--data-dir", dataDir.toString(),
                "--threads", Integer.toString(threads), "--batch-size", Integer.toString(config.batchSize()),
                "--steps", Integer.toString(config.langevinSteps()), "--alpha", Float.toString(config.langevinAlpha()),
                "--sigma", Float.toString(config.langevinSigma()), "--warmup", Integer.toString(warmup),
                "--max-batches", Integer.toString(batches + warmup), "--infer-bench", "--log-every", "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // The launcher pins OpenBLAS to one thread for ebm4j's own workers; PyTorch gets its own
        // thread count (--threads) and must not inherit that limit.
        pb.environment().remove("OPENBLAS_NUM_THREADS");
        Path log = Files.createTempFile("ebm4j-torch", ".log");
        pb.redirectOutput(log.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            Files.deleteIfExists(log);
            throw new UserException("--torch: cannot run the Python interpreter '" + python + "': " + e.getMessage());
        }
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new UserException("--torch: the reference did not finish in " + TIMEOUT_MINUTES + " minutes");
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        Map<String, String> r = new HashMap<>();
        String version = "torch";
        for (String line : lines) {
            if (line.startsWith("RESULT ")) {
                String[] kv = line.substring(7).split("=", 2);
                r.put(kv[0], kv.length > 1 ? kv[1] : "");
            } else if (line.startsWith("torch ")) {
                version = line.split(" ")[0] + " " + line.split(" ")[1];
            }
        }
        if (p.exitValue() != 0 || !r.containsKey("train_images_per_s")) {
            String tail = String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
            throw new UserException("--torch: the reference failed (exit " + p.exitValue() + "): " + tail);
        }
        Map<String, Stat> m = new LinkedHashMap<>();
        double median = d(r, "s_per_batch_median"), min = d(r, "s_per_batch_min");
        // The reference reports the median and the fastest batch, not the slowest: the rate's
        // minimum is unknown ("?" in the table, null in JSON).
        m.put("train_images_per_s", new Stat(config.batchSize() / median, Double.NaN, config.batchSize() / min));
        m.put("train_ms_per_batch", new Stat(median * 1000, min * 1000, Double.NaN));
        if (r.containsKey("ms_per_langevin_step_median")) {
            double step = d(r, "ms_per_langevin_step_median");
            m.put("ms_per_langevin_step", Stat.single(step));
            m.put("sampling_images_per_s", Stat.single(config.batchSize() / (step * config.langevinSteps() / 1000)));
        }
        m.put("inference_energies_per_s", new Stat(d(r, "infer_images_per_s_median"), d(r, "infer_images_per_s_min"),
                d(r, "infer_images_per_s_max")));
        String where = device.equals("cuda") ? "CUDA" : threads + " threads";
        return new BenchResult("torch", version + " eager, " + where + ", " + batches + " timed batches", m);
    }

    /** /usr/bin/python3 where it exists (Debian's python3-torch lives there), else python3 on the PATH. */
    public static String defaultPython() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static double d(Map<String, String> r, String key) {
        try {
            return Double.parseDouble(r.get(key));
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
