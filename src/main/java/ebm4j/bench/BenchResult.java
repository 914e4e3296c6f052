package ebm4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One device's (or the PyTorch reference's) figures, keyed by metric name, in a stable order, and
 * where measured the per-op time of one Langevin step ({@code breakdown}, empty when not measured).
 */
public record BenchResult(String name, String description, Map<String, Stat> metrics,
                          List<OpProfile.Entry> breakdown) {

    public BenchResult(String name, String description, Map<String, Stat> metrics) {
        this(name, description, metrics, List.of());
    }

    /** Metrics where larger is better, compared across devices as ratios. */
    public static final List<String> RATES = List.of("train_images_per_s", "sampling_images_per_s",
            "inference_energies_per_s");

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", description);
        metrics.forEach((k, s) -> m.put(k, Map.of("median", s.median(), "min", s.min(), "max", s.max())));
        if (!breakdown.isEmpty()) {
            List<Object> ops = new ArrayList<>();
            for (OpProfile.Entry e : breakdown) {
                Map<String, Object> op = new LinkedHashMap<>();
                op.put("op", e.op());
                op.put("calls_per_step", e.calls());
                op.put("ms_per_step", e.millis());
                if (e.flops() > 0) {
                    op.put("gflops_per_s", e.gflopsPerSecond());
                }
                ops.add(op);
            }
            m.put("langevin_step_breakdown", ops);
        }
        return m;
    }

    /** For each pair of results, median ratio of each rate metric both have ("a/b" -> metric -> ratio). */
    public static Map<String, Map<String, Double>> ratios(List<BenchResult> results) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            for (int j = 0; j < results.size(); j++) {
                if (i == j || (i > j && !results.get(j).name().equals("torch"))) {
                    continue;
                }
                BenchResult a = results.get(i), b = results.get(j);
                if (a.name().equals("torch")) {
                    continue;
                }
                Map<String, Double> r = new LinkedHashMap<>();
                for (String metric : RATES) {
                    Stat x = a.metrics().get(metric), y = b.metrics().get(metric);
                    if (x != null && y != null && y.median() > 0) {
                        r.put(metric, x.median() / y.median());
                    }
                }
                if (!r.isEmpty()) {
                    out.put(a.name() + "/" + b.name(), r);
                }
            }
        }
        return out;
    }

    /** A plain-text table: one row per metric, one column per result, then the ratios. */
    public static String table(List<BenchResult> results) {
        List<String> metrics = new ArrayList<>();
        for (BenchResult r : results) {
            for (String k : r.metrics().keySet()) {
                if (!metrics.contains(k)) {
                    metrics.add(k);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (BenchResult r : results) {
            sb.append(String.format(Locale.ROOT, "%-6s %s%n", r.name(), r.description()));
        }
        sb.append(String.format(Locale.ROOT, "%n%-28s", "metric (median [min, max])"));
        for (BenchResult r : results) {
            sb.append(String.format(Locale.ROOT, " | %-30s", r.name()));
        }
        sb.append('\n');
        for (String metric : metrics) {
            sb.append(String.format(Locale.ROOT, "%-28s", metric));
            for (BenchResult r : results) {
                Stat s = r.metrics().get(metric);
                sb.append(s == null ? String.format(Locale.ROOT, " | %-30s", "-")
                        : String.format(Locale.ROOT, " | %-30s", figure(s.median()) + " ["
                        + figure(s.min()) + ", " + figure(s.max()) + "]"));
            }
            sb.append('\n');
        }
        for (BenchResult r : results) {
            if (!r.breakdown().isEmpty()) {
                sb.append(r.breakdownTable());
            }
        }
        Map<String, Map<String, Double>> ratios = ratios(results);
        if (!ratios.isEmpty()) {
            sb.append("\nratios of medians (same run):\n");
            ratios.forEach((pair, r) -> r.forEach((metric, v) ->
                    sb.append(String.format(Locale.ROOT, "  %-12s %-26s %.2fx%n", pair, metric, v))));
        }
        return sb.toString();
    }

    /**
     * Where one Langevin step's time goes, op by op (each op timed alone, the backend synchronised
     * after it), with the products' GFLOP/s and the share of everything else. A product with an op
     * fused into it ({@code +biasElu}) counts as a product, the fused op's time included.
     */
    public String breakdownTable() {
        double total = 0, products = 0;
        for (OpProfile.Entry e : breakdown) {
            total += e.millis();
            if (e.flops() > 0) {
                products += e.millis();
            }
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%n%s: one Langevin step, op by op (ms per step, %% of the step)%n", name));
        for (OpProfile.Entry e : breakdown) {
            sb.append(String.format(Locale.ROOT, "  %-32s %6.2f calls %8.4f ms %5.1f %%%s%n", e.op(), e.calls(),
                    e.millis(), 100 * e.millis() / total,
                    e.flops() > 0 ? String.format(Locale.ROOT, " %7.1f GFLOP/s", e.gflopsPerSecond()) : ""));
        }
        sb.append(String.format(Locale.ROOT, "  %-32s %14s %8.4f ms: products (with the ops fused into them) %.1f %%, other ops %.1f %%%n", "total",
                "", total, 100 * products / total, 100 * (total - products) / total));
        return sb.toString();
    }

    /** Four significant digits; "?" for a bound the measurement did not report (the reference gives no slowest batch). */
    private static String figure(double v) {
        return Double.isNaN(v) ? "?" : String.format(Locale.ROOT, "%.4g", v);
    }
}
