package ebm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.UserException;
import ebm4j.eval.EvaluationFiles;
import ebm4j.model.Checkpoint;
import ebm4j.report.TextTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Several finished runs side by side ({@code ebm4j compare}): the config keys whose values differ
 * between them (from each run's checkpoint, as saved: a key that a run of another ebm4j version
 * lacks is absent there, not filled in), the last epoch of each metrics.jsonl, and the figures of
 * each eval/eval.json, as rows of one value per run. Reading never writes into a run folder.
 */
public final class RunComparison {
    /** Section names, as the JSON form's keys. */
    public static final String CONFIG = "config", METRICS = "metrics", EVAL = "eval";

    /** Figures of the last epoch, under their metrics.jsonl names (the epoch number is the epochs done). */
    private static final List<String> LAST_EPOCH = List.of("test_acc", "test_ece", "test_loss", "train_acc", "e_real",
            "e_sample", "test_energy", "images_per_s");

    /**
     * One compared run.
     *
     * @param name       its column header: the folder's name, or the path as given when names repeat
     * @param folder     the run folder (absolute)
     * @param checkpoint the checkpoint its config was read from (absolute)
     */
    public record Run(String name, Path folder, Path checkpoint) {}

    /** A key and its value in each run, in the order of the runs; null where a run has none. */
    public record Row(String key, List<Object> values) {}

    private final List<Run> runs;
    private final Map<String, List<Row>> sections;

    private RunComparison(List<Run> runs, Map<String, List<Row>> sections) {
        this.runs = runs;
        this.sections = sections;
    }

    /**
     * Reads the runs: each a run folder (config from its newest checkpoint) or a checkpoint in one.
     *
     * @throws UserException naming the first run that is missing or unreadable
     */
    public static RunComparison of(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new UserException("give at least one run folder to compare");
        }
        List<Path> folders = new ArrayList<>();
        List<Checkpoint.SavedConfig> checkpoints = new ArrayList<>();
        List<Map<String, Object>> metrics = new ArrayList<>(), evals = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new UserException("run " + p + " does not exist");
            }
            Checkpoint.SavedConfig ck = Checkpoint.savedConfig(p);
            Path folder = runFolder(p.toAbsolutePath().normalize(), ck.dir().toAbsolutePath().normalize());
            folders.add(folder);
            checkpoints.add(ck);
            metrics.add(lastEpoch(folder));
            evals.add(evalFigures(folder));
        }
        List<String> names = names(paths, folders);
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            runs.add(new Run(names.get(i), folders.get(i), checkpoints.get(i).dir().toAbsolutePath().normalize()));
        }
        Map<String, List<Row>> sections = new LinkedHashMap<>();
        List<Map<String, Object>> configs = new ArrayList<>();
        checkpoints.forEach(ck -> configs.add(new LinkedHashMap<>(ck.properties())));
        sections.put(CONFIG, rows(configs).stream().filter(RunComparison::differs).toList());
        sections.put(METRICS, rows(metrics));
        sections.put(EVAL, rows(evals));
        return new RunComparison(List.copyOf(runs), sections);
    }

    public List<Run> runs() {
        return runs;
    }

    /** The rows of {@link #CONFIG} (only keys that differ), {@link #METRICS} or {@link #EVAL}. */
    public List<Row> rows(String section) {
        List<Row> r = sections.get(section);
        if (r == null) {
            throw new IllegalArgumentException("no section " + section);
        }
        return r;
    }

    /**
     * One object: {@code runs} (name, folder, checkpoint of each), then per section an object of
     * rows, each key mapped to its values in the order of the runs (null where absent).
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("folder", r.folder().toString());
            m.put("checkpoint", r.checkpoint().toString());
            list.add(m);
        }
        json.put("runs", list);
        sections.forEach((section, rows) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            rows.forEach(row -> m.put(row.key(), row.values()));
            json.put(section, m);
        });
        return json;
    }

    /** The table: one column per run, one row per key, the sections under titles, then where each run is. */
    public String toText() {
        TextTable t = new TextTable(runs.stream().map(Run::name).toList());
        section(t, "config (keys that differ)", rows(CONFIG), "(none: the runs share every value)");
        section(t, "last epoch (metrics.jsonl)", rows(METRICS), "(no metrics.jsonl)");
        String eval = "eval/" + EvaluationFiles.JSON;
        section(t, "evaluation (" + eval + ")", rows(EVAL), "(no " + eval + ")");
        StringBuilder sb = new StringBuilder(t.toString());
        for (Run r : runs) {
            sb.append(r.name()).append(": ").append(r.folder()).append(" (config from ")
                    .append(r.folder().relativize(r.checkpoint())).append(")\n");
        }
        return sb.toString();
    }

    private static void section(TextTable t, String title, List<Row> rows, String empty) {
        t.title(title);
        if (rows.isEmpty()) {
            t.title("  " + empty);
        }
        for (Row r : rows) {
            t.row(r.key(), r.values().stream().map(RunComparison::cell).toList());
        }
    }

    /** A table cell: integers and text as they are, other numbers to 4 decimals (1 from 100, 0 from 1000), absent "-". */
    static String cell(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof Double d) {
            if (!Double.isFinite(d)) {
                return "-";
            }
            double a = Math.abs(d);
            return String.format(Locale.ROOT, a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : "%.4f", d);
        }
        return v.toString();
    }

    /** A run folder is itself; a checkpoint in RUN/checkpoints/ belongs to RUN; a loose checkpoint is its own folder. */
    private static Path runFolder(Path given, Path checkpointDir) {
        if (Files.isDirectory(given) && !Files.exists(given.resolve(Checkpoint.MODEL_FILE))) {
            return given;
        }
        Path parent = checkpointDir.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints")
                && parent.getParent() != null) {
            return parent.getParent();
        }
        return checkpointDir;
    }

    /** Folder names as headers; the paths as given when two runs share a folder name. */
    private static List<String> names(List<Path> given, List<Path> folders) {
        List<String> names = folders.stream().map(f -> String.valueOf(f.getFileName())).toList();
        return new HashSet<>(names).size() == names.size() ? names : given.stream().map(Path::toString).toList();
    }

    /** epochs_done (the last epoch's number), that epoch's figures, the seconds of all epochs; empty without metrics. */
    private static Map<String, Object> lastEpoch(Path folder) {
        List<EpochMetrics> history = RunFolder.readRunMetrics(folder);
        Map<String, Object> m = new LinkedHashMap<>();
        EpochMetrics last = history.stream().max(Comparator.comparingInt(EpochMetrics::epoch)).orElse(null);
        if (last == null) {
            return m;
        }
        m.put("epochs_done", last.epoch());
        Map<String, Object> all = last.toJson();
        LAST_EPOCH.forEach(k -> m.put(k, all.get(k)));
        m.put("train_seconds", history.stream().mapToDouble(EpochMetrics::seconds).sum());
        return m;
    }

    /** The numbers of RUN/eval/eval.json by dotted path (judges by name); empty when the run has no evaluation. */
    private static Map<String, Object> evalFigures(Path folder) {
        Path file = folder.resolve("eval").resolve(EvaluationFiles.JSON);
        Map<String, Object> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        JsonNode root;
        try {
            root = Json.read(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage());
        }
        if (!root.isObject()) {
            throw new UserException(file + " is not a JSON object");
        }
        flatten("", root, out);
        return out;
    }

    /**
     * Numbers (and nulls, a non-finite number as written) under their path: objects by
     * {@code a.b}, arrays of objects by {@code a[label]}, where a judge's label is its run's name
     * (else the position). Left out: text and booleans (the table compares figures) and arrays of
     * numbers (per-class vectors, which eval.json summarises in figures of their own, such as the
     * worst class's accuracy; one row per class would bury the rest).
     */
    private static void flatten(String path, JsonNode node, Map<String, Object> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(),
                    out));
        } else if (node.isArray() && node.size() > 0 && node.get(0).isObject()) {
            Set<String> used = new HashSet<>();
            for (int i = 0; i < node.size(); i++) {
                String label = label(node.get(i), i);
                String unique = label;
                for (int k = 2; !used.add(unique); k++) {
                    unique = label + "#" + k;
                }
                flatten(path + "[" + unique + "]", node.get(i), out);
            }
        } else if (node.isIntegralNumber()) {
            out.put(path, node.longValue());
        } else if (node.isNumber()) {
            out.put(path, node.doubleValue());
        } else if (node.isNull()) {
            out.put(path, null);
        }
    }

    /** A judge entry names its checkpoint: RUN/checkpoints/step-N gives RUN's name. */
    private static String label(JsonNode element, int index) {
        JsonNode ck = element.get("checkpoint");
        if (ck == null || !ck.isTextual() || ck.asText().isBlank()) {
            return Integer.toString(index + 1);
        }
        Path p = Path.of(ck.asText());
        Path parent = p.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints")
                && parent.getParent() != null && parent.getParent().getFileName() != null) {
            return parent.getParent().getFileName().toString();
        }
        return String.valueOf(p.getFileName());
    }

    /** Rows of the union of keys, in the order they first appear, one value per run. */
    private static List<Row> rows(List<Map<String, Object>> perRun) {
        Set<String> keys = new LinkedHashSet<>();
        perRun.forEach(m -> keys.addAll(m.keySet()));
        List<Row> out = new ArrayList<>();
        for (String key : keys) {
            List<Object> values = new ArrayList<>();
            perRun.forEach(m -> values.add(m.get(key)));
            out.add(new Row(key, Collections.unmodifiableList(values))); // List.copyOf would refuse the nulls
        }
        return out;
    }

    private static boolean differs(Row row) {
        return row.values().stream().anyMatch(v -> !Objects.equals(v, row.values().get(0)));
    }
}
