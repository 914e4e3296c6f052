package ebm4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One device's (or the PyTorch reference's) figures, keyed by metric name, in a stable order. */
public record BenchResult(String name, String description, Map<String, Stat> metrics) {

    /** Metrics where larger is better, compared across devices as ratios. */
    public static final List<String> RATES = List.of("train_images_per_s", "sampling_images_per_s",
            "inference_energies_per_s");

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", description);
        metrics.forEach((k, s) -> m.put(k, Map.of("median", s.median(), "min", s.min(), "max", s.max())));
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
                        : String.format(Locale.ROOT, " | %-30s", String.format(Locale.ROOT, "%.4g [%.4g, %.4g]",
                        s.median(), s.min(), s.max())));
            }
            sb.append('\n');
        }
        Map<String, Map<String, Double>> ratios = ratios(results);
        if (!ratios.isEmpty()) {
            sb.append("\nratios of medians (same run):\n");
            ratios.forEach((pair, r) -> r.forEach((metric, v) ->
                    sb.append(String.format(Locale.ROOT, "  %-12s %-26s %.2fx%n", pair, metric, v))));
        }
        return sb.toString();
    }
}
