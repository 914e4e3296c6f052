package ebm4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How cost grows with the batch and the thread count: one row per (device, threads, batch) with
 * the medians of a {@link Benchmark} run, printed as a Markdown table for the README.
 */
public final class Sweep {
    /** Batch sizes of {@code bench --sweep}. */
    public static final List<Integer> BATCHES = List.of(32, 64, 128, 256);

    /** One measured configuration. */
    public record Row(String device, int threads, int batch, BenchResult result) {
        double median(String metric) {
            Stat s = result.metrics().get(metric);
            return s == null ? Double.NaN : s.median();
        }
    }

    private final List<Row> rows = new ArrayList<>();

    public void add(String device, int threads, int batch, BenchResult result) {
        rows.add(new Row(device, threads, batch, result));
    }

    public List<Row> rows() {
        return rows;
    }

    /** The Markdown table: training and sampling images/s, Langevin and ceiling GFLOP/s, share. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| device | threads | batch | training images/s | sampling images/s | ms per Langevin step"
                + " | Langevin GFLOP/s | products alone GFLOP/s | % of products alone |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.2f | %.1f | %.1f | %.0f %% |%n",
                    r.device(), r.threads() > 0 ? Integer.toString(r.threads()) : "-", r.batch(),
                    r.median("train_images_per_s"), r.median("sampling_images_per_s"),
                    r.median("ms_per_langevin_step"), r.median("langevin_gflops_per_s"),
                    r.median("gemm_ceiling_gflops_per_s"), r.median("langevin_pct_of_ceiling")));
        }
        return sb.toString();
    }

    /** Rows for JSON output. */
    public List<Object> toJson() {
        List<Object> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", r.device());
            m.put("threads", r.threads());
            m.put("batch_size", r.batch());
            m.put("result", r.result().toJson());
            out.add(m);
        }
        return out;
    }
}
