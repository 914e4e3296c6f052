package ebm4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.data.DataSource;
import ebm4j.report.HtmlReport;
import ebm4j.report.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The run report's Evaluation section, read back from eval.json ({@link Evaluation}'s figures):
 * the classifier, the energies, out-of-distribution detection and the judges as tables with units
 * and sensible rounding. A member this section does not know is listed as it is, so nothing in
 * eval.json is hidden.
 */
public final class EvaluationSection {
    private static final Set<String> KNOWN_PLAIN = Set.of(Evaluation.CHECKPOINT, Evaluation.DEVICE, Evaluation.SAMPLING,
            Evaluation.TEST_IMAGES, Evaluation.TEST_ACCURACY, Evaluation.TEST_CROSS_ENTROPY, Evaluation.TEST_ECE,
            Evaluation.TEST_MEAN_ENERGY, Evaluation.SAMPLES, Evaluation.SAMPLE_MEAN_ENERGY, Evaluation.JUDGES);

    private EvaluationSection() {}

    /** Adds the section for eval.json's contents (the figures; the caller adds the images). */
    public static void addTo(HtmlReport r, JsonNode eval) {
        r.section("Evaluation");
        r.paragraph("Checkpoint " + eval.path(Evaluation.CHECKPOINT).asText("?") + ", evaluated on "
                + eval.path(Evaluation.DEVICE).asText("?") + "."
                + (eval.has(Evaluation.SAMPLING) ? " Samples: " + eval.path(Evaluation.SAMPLING).asText() + "." : ""));

        r.subheading("Classifier");
        Map<String, Object> classifier = new LinkedHashMap<>();
        classifier.put("test images", Quantity.count(number(eval, Evaluation.TEST_IMAGES), ""));
        classifier.put("accuracy", Quantity.percent(number(eval, Evaluation.TEST_ACCURACY), 2));
        classifier.put("cross-entropy", Quantity.significant(number(eval, Evaluation.TEST_CROSS_ENTROPY), 3, "nats"));
        classifier.put("expected calibration error (15 bins)", Quantity.percent(number(eval, Evaluation.TEST_ECE), 2));
        r.keyValues(classifier);

        r.subheading("Energies");
        Map<String, Object> energies = new LinkedHashMap<>();
        energies.put("mean energy of the test images", Quantity.significant(number(eval, Evaluation.TEST_MEAN_ENERGY), 4, ""));
        energies.put("mean energy of " + Quantity.count(number(eval, Evaluation.SAMPLES), "fresh samples"),
                Quantity.significant(number(eval, Evaluation.SAMPLE_MEAN_ENERGY), 4, ""));
        r.keyValues(energies);

        List<String> oodKeys = oodKeys(eval);
        if (!oodKeys.isEmpty()) {
            r.subheading("Out-of-distribution detection");
            r.paragraph("AUROC: the probability that a test image scores as more in-distribution than an image of the"
                    + " other set (1 = always told apart, 0.5 = chance), by the energy (score -E(x)) and by the"
                    + " classifier's largest softmax probability.");
            List<List<Object>> rows = new ArrayList<>();
            for (String key : oodKeys) {
                rows.add(List.of("test set against " + oodName(key),
                        Quantity.decimals(number(eval, Evaluation.AUROC_PREFIX + key + Evaluation.BY_ENERGY), 4),
                        Quantity.decimals(number(eval, Evaluation.AUROC_PREFIX + key + Evaluation.BY_MAX_SOFTMAX), 4)));
            }
            r.table(List.of("", "AUROC by energy", "AUROC by max-softmax"), rows);
        }

        JsonNode judges = eval.path(Evaluation.JUDGES);
        if (judges.isArray() && !judges.isEmpty()) {
            r.subheading("Sample quality, as independent classifiers judge it");
            r.paragraph("In brackets: the 95 % interval of each share (Wilson), and the deviation from uniform that"
                    + " a sampler drawing every class equally often exceeds by chance one time in 20 at this number"
                    + " of samples.");
            List<List<Object>> rows = new ArrayList<>();
            for (JsonNode j : judges) {
                rows.add(List.of(j.path(Evaluation.CHECKPOINT).asText("?"),
                        share(j, Evaluation.CONDITIONAL_ACCURACY, Evaluation.CONDITIONAL_ACCURACY_INTERVAL),
                        share(j, Evaluation.CONDITIONAL_WORST_CLASS, Evaluation.CONDITIONAL_WORST_CLASS_INTERVAL),
                        Quantity.percent(number(j, Evaluation.UNCONDITIONAL_CONFIDENCE), 1),
                        share(j, Evaluation.UNCONDITIONAL_CONFIDENT, Evaluation.UNCONDITIONAL_CONFIDENT_INTERVAL),
                        Quantity.percent(number(j, Evaluation.TEST_CONFIDENT), 1),
                        deviation(j)));
            }
            r.table(List.of("judge", "class-conditional samples accepted", "worst class",
                    "mean confidence on unconditional samples", "unconditional samples with confidence >= 0.9",
                    "real test images with confidence >= 0.9 (the ceiling)",
                    "largest class-share deviation from uniform"), rows);
        }

        Map<String, Object> other = new LinkedHashMap<>();
        eval.fields().forEachRemaining(e -> {
            if (!shown(e.getKey(), oodKeys)) {
                other.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().toString());
            }
        });
        if (!other.isEmpty()) {
            r.subheading("Other figures");
            r.keyValues(other);
        }
    }

    /** True when the section shows {@code key} in one of its tables. */
    static boolean shown(String key, List<String> oodKeys) {
        if (KNOWN_PLAIN.contains(key)) {
            return true;
        }
        for (String ood : oodKeys) {
            if (key.equals(Evaluation.AUROC_PREFIX + ood + Evaluation.BY_ENERGY)
                    || key.equals(Evaluation.AUROC_PREFIX + ood + Evaluation.BY_MAX_SOFTMAX)) {
                return true;
            }
        }
        return false;
    }

    /** The OOD sets eval.json has AUROCs for, uniform noise first. */
    static List<String> oodKeys(JsonNode eval) {
        Set<String> keys = new TreeSet<>();
        eval.fieldNames().forEachRemaining(k -> {
            if (k.startsWith(Evaluation.AUROC_PREFIX) && k.endsWith(Evaluation.BY_ENERGY)) {
                keys.add(k.substring(Evaluation.AUROC_PREFIX.length(), k.length() - Evaluation.BY_ENERGY.length()));
            }
        });
        List<String> ordered = new ArrayList<>();
        if (keys.remove(Evaluation.UNIFORM)) {
            ordered.add(Evaluation.UNIFORM);
        }
        ordered.addAll(keys);
        return ordered;
    }

    /** uniform noise, MNIST, Fashion-MNIST, or the OOD folder that --ood named. */
    private static String oodName(String key) {
        if (key.equals(Evaluation.UNIFORM)) {
            return "uniform noise";
        }
        for (String named : List.of(DataSource.MNIST, DataSource.FASHION_MNIST)) {
            DataSource source = DataSource.of(named, null);
            if (source.key().equals(key)) {
                return source.displayName();
            }
        }
        return "the --ood set";
    }

    /** {@code 98.6 % (97.7–99.2)}: a share and its interval; the share alone when eval.json predates intervals. */
    static Quantity share(JsonNode judge, String key, String intervalKey) {
        Quantity share = Quantity.percent(number(judge, key), 1);
        JsonNode interval = judge.path(intervalKey);
        if (!interval.isArray() || interval.size() != 2) {
            return share;
        }
        // the bounds as bare percentages, one decimal: 0.9772 gives 97.7
        return new Quantity(share + " (" + Quantity.decimals(interval.get(0).asDouble() * 100, 1) + "–"
                + Quantity.decimals(interval.get(1).asDouble() * 100, 1) + ")");
    }

    /** {@code ±12 % (±19 % by chance)}: the measured deviation and a uniform sampler's at this number of samples. */
    static Quantity deviation(JsonNode judge) {
        double measured = number(judge, Evaluation.UNCONDITIONAL_MAX_DEVIATION);
        if (!Double.isFinite(measured)) {
            return Quantity.missing();
        }
        double chance = number(judge, Evaluation.UNCONDITIONAL_MAX_DEVIATION_BY_CHANCE);
        return new Quantity(String.format(Locale.ROOT, "±%.0f %%", measured * 100)
                + (Double.isFinite(chance) ? String.format(Locale.ROOT, " (±%.0f %% by chance)", chance * 100)
                        : ""));
    }

    private static double number(JsonNode node, String key) {
        return Json.number(node, key);
    }
}
