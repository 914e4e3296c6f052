package ebm4j.compute.cpu;

import ebm4j.TempFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Chooses OpenBLAS's kernels by measurement instead of trusting its CPU detection (which picked
 * Haswell kernels on an AVX-512 CPU in issue 13, and Prescott with an older OpenBLAS, see
 * shared/CPU-GEMM.md). OpenBLAS reads {@code OPENBLAS_CORETYPE} once, when the library loads,
 * so each candidate runs in a child JVM: the products OpenBLAS computes in a training step of the
 * default model (784-512-512-512-10, batch 64: the weight gradients and the 10-wide layer; the
 * other layer products run on {@link PackedGemm}) on one thread, timed in thread CPU time (time spent descheduled
 * by other processes does not count), best of several blocks; three rounds taken in turn, each
 * type scored by the median of its rounds. The fastest wins; OpenBLAS's own choice is kept
 * unless another is more than {@link #MARGIN} faster.
 *
 * <p>{@code java ... OpenBlasCalibration FILE} writes FILE for the {@code ebm4j} launcher: this
 * CPU's {@code model name} and {@code flags} lines (the launcher uses the file only while they
 * match, so a stale file never forces kernels a different CPU cannot run), then
 * {@code OPENBLAS_CORETYPE=...} and {@code EBM4J_BLAS_CALIBRATION=...} (the figures, which the
 * run header shows). {@code --measure} is the child's mode.
 */
public final class OpenBlasCalibration {
    /** Environment variable with the calibration's figures, set by the launcher for run headers. */
    public static final String SUMMARY_VARIABLE = "EBM4J_BLAS_CALIBRATION";
    static final String CORETYPE_VARIABLE = "OPENBLAS_CORETYPE";
    /** Another core type must beat OpenBLAS's own choice by this fraction to replace it. */
    static final double MARGIN = 0.05;
    private static final int ROUNDS = 3;
    private static final int BATCH = 64;
    private static final int[] WIDTHS = {784, 512, 512, 512, 10};
    private static final long CHILD_TIMEOUT_SECONDS = 120;

    private OpenBlasCalibration() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--measure")) {
            measure();
            return;
        }
        if (args.length != 1) {
            System.err.println("usage: OpenBlasCalibration FILE | --measure");
            System.exit(2);
        }
        calibrate(Path.of(args[0]));
    }

    /** Measures every candidate and writes the file; false when nothing could be measured (the file then names no kernels). */
    static boolean calibrate(Path file) throws IOException, InterruptedException {
        List<String> cpu = OpenBlasCoreTypes.cpuLines(OpenBlasCoreTypes.CPUINFO);
        List<String> types = new ArrayList<>();
        types.add(""); // OpenBLAS's own choice
        types.addAll(OpenBlasCoreTypes.candidates(OpenBlasCoreTypes.flags(cpu)));
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        String own = null;
        for (int round = 0; round < ROUNDS; round++) {
            for (String type : types) {
                if (round > 0 && type.isEmpty() && own != null && rates.containsKey(own)) {
                    continue; // OpenBLAS's own choice is also a forced candidate: measured as that one
                }
                Measurement m = child(type);
                if (m == null) {
                    continue;
                }
                if (type.isEmpty()) {
                    own = m.corename();
                }
                // the own choice counts as a sample of the same kernels forced by name
                rates.computeIfAbsent(type.isEmpty() ? own : type, k -> new ArrayList<>()).add(m.gflops());
            }
        }
        Map<String, Double> median = new LinkedHashMap<>();
        rates.forEach((type, r) -> median.put(type, median(r)));
        List<String> lines = new ArrayList<>(cpu);
        if (own == null || median.isEmpty()) {
            // written anyway, so the launcher does not measure again on every start
            lines.add("# no measurement: OpenBLAS did not run; its own choice stays");
        } else {
            Choice choice = choose(median, own);
            lines.add(CORETYPE_VARIABLE + "=" + choice.coretype());
            lines.add(SUMMARY_VARIABLE + "=" + choice.summary());
            System.err.println("ebm4j: OpenBLAS kernels " + choice.coretype() + ", " + choice.summary());
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = TempFiles.beside(dir, "openblas", ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        TempFiles.replace(tmp, file);
        return own != null;
    }

    /** The winner and a one-line account of the figures. */
    record Choice(String coretype, String summary) {}

    /**
     * @param best GFLOP/s per core type, the median of its rounds (OpenBLAS's own choice under its own name)
     * @param own  the core type OpenBLAS chose itself
     */
    static Choice choose(Map<String, Double> best, String own) {
        double ownRate = best.getOrDefault(own, 0.0);
        String winner = own;
        double winnerRate = ownRate;
        for (Map.Entry<String, Double> e : best.entrySet()) {
            if (e.getValue() > winnerRate && e.getValue() > ownRate * (1 + MARGIN)) {
                winner = e.getKey();
                winnerRate = e.getValue();
            }
        }
        StringBuilder sb = new StringBuilder("chosen by measurement: ");
        best.forEach((type, rate) -> sb.append(String.format(Locale.ROOT, "%s %.1f, ", type, rate)));
        sb.setLength(sb.length() - 2);
        sb.append(" GFLOP/s (its products in a batch-").append(BATCH).append(" training step, 1 thread; OpenBLAS's own choice ")
                .append(own).append(')');
        return new Choice(winner, sb.toString());
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** One child's result: the kernels OpenBLAS loaded and their best rate. */
    record Measurement(String corename, double gflops) {}

    private static Measurement child(String coretype) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OpenBlasCalibration.class.getName(), "--measure").redirectErrorStream(true);
        if (coretype.isEmpty()) {
            pb.environment().remove(CORETYPE_VARIABLE);
        } else {
            pb.environment().put(CORETYPE_VARIABLE, coretype);
        }
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Path log = Files.createTempFile("ebm4j-blas", ".log");
        String out;
        try {
            Process p = pb.redirectOutput(log.toFile()).start();
            if (!p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            if (p.exitValue() != 0) {
                return null;   // a core type the CPU cannot run dies with an illegal instruction
            }
            out = Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
        String name = null;
        double rate = Double.NaN;
        for (String line : out.split("\n")) {
            if (line.startsWith("corename=")) {
                name = line.substring(9).trim();
            } else if (line.startsWith("gflops=")) {
                rate = Double.parseDouble(line.substring(7).trim());
            }
        }
        return name != null && rate > 0 ? new Measurement(name, rate) : null;
    }

    /** The child: OpenBLAS's share of a training step on one thread; prints the loaded kernels and the best rate. */
    private static void measure() {
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
        int rows = 2 * BATCH;
        FloatBuffer a = filled(rows * 784, 1f);
        FloatBuffer b = filled(rows * 784, 0.05f);
        FloatBuffer c = filled(784 * 512, 0f);
        double flops = 0;
        for (int l = 0; l + 1 < WIDTHS.length; l++) {
            flops += 2.0 * rows * WIDTHS[l] * WIDTHS[l + 1];
        }
        int out = WIDTHS[WIDTHS.length - 1], hidden = WIDTHS[WIDTHS.length - 2];
        flops += 2 * (2.0 * BATCH * out * hidden);
        // CPU time of this thread, not wall time: on a shared machine the time spent descheduled
        // would otherwise decide the choice
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        int reps = 10;
        double bestSeconds = Double.MAX_VALUE;
        for (int block = 0; block < 12; block++) {
            long t0 = clock.getCurrentThreadCpuTime();
            for (int r = 0; r < reps; r++) {
                step(a, b, c, rows);
            }
            double seconds = (clock.getCurrentThreadCpuTime() - t0) / 1e9 / reps;
            if (block >= 2) { // two warm-up blocks
                bestSeconds = Math.min(bestSeconds, seconds);
            }
        }
        System.out.println("corename=" + OpenBlasGemm.corename());
        System.out.println("gflops=" + String.format(Locale.ROOT, "%.2f", flops / bestSeconds / 1e9));
    }

    /**
     * The products the backend leaves to OpenBLAS (the layer products with packed weights go to
     * PackedGemm): each layer's weight gradient dOut^T . X over the stacked batch of 2 x 64 rows,
     * and the 10-wide output layer's forward and backward products of a Langevin step.
     */
    private static void step(FloatBuffer a, FloatBuffer b, FloatBuffer c, int rows) {
        for (int l = 0; l + 1 < WIDTHS.length; l++) {
            int in = WIDTHS[l], out = WIDTHS[l + 1];
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans,
                    openblas_nolapack.CblasNoTrans, out, in, rows, 1f, a, out, b, in, 0f, c, in);
        }
        int out = WIDTHS[WIDTHS.length - 1], hidden = WIDTHS[WIDTHS.length - 2];
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                openblas_nolapack.CblasTrans, BATCH, out, hidden, 1f, a, hidden, b, hidden, 0f, c, out);
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                openblas_nolapack.CblasNoTrans, BATCH, hidden, out, 1f, a, out, b, hidden, 0f, c, hidden);
    }

    private static FloatBuffer filled(int n, float scale) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            b.put(i, scale * ((int) ((i * 7919L) % 2001) / 1000f - 1f));
        }
        return b;
    }
}
