package ebm4j.config;

import java.util.Map;

/**
 * Text generated from the hyperparameter descriptors: the bundled {@code default.properties} and
 * the README's hyperparameter table. Tests compare both files with this output, so neither can
 * drift from {@link Hyperparameters#ALL}.
 */
public final class HyperparameterDocs {
    private HyperparameterDocs() {}

    /** config/default.properties: every key with its default, each preceded by its help. */
    public static String defaultProperties() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ebm4j defaults: the recommended recipe (README, \"Measured\"). The original project's recipe\n")
                .append("# is the `seed` preset: ./ebm4j train --config seed; the recipe without translated images\n")
                .append("# (the default until December 2026) is the `plain` preset: ./ebm4j train --config plain\n")
                .append("# Precedence: command line > --config FILE > these defaults. Keys are the original flag names.\n")
                .append("# Generated from config/Hyperparameters.java (a test keeps the two equal): edit it there.\n");
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            sb.append("\n# ").append(h.help()).append("\n")
                    .append(h.key()).append('=').append(h.defaultText()).append('\n');
        }
        return sb.toString();
    }

    /**
     * The README table: key and options, default, the seed preset's value, meaning, allowed values,
     * and whether a value given with {@code train --resume} applies or is fixed for the run.
     *
     * @param seed the seed preset's values (keys it does not set show as blank)
     */
    public static String markdownTable(Map<String, String> seed) {
        StringBuilder sb = new StringBuilder();
        sb.append("| key (`--option`) | default (recommended) | `seed` preset (original) | meaning | allowed"
                        + " | on `--resume` |\n")
                .append("|---|---|---|---|---|---|\n");
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            StringBuilder names = new StringBuilder("`" + h.key() + "`");
            for (String option : h.optionNames()) {
                if (!option.equals("--" + h.key())) {
                    names.append(" (`").append(option).append("`)");
                }
            }
            sb.append("| ").append(names).append(" | ").append(h.defaultText()).append(" | ")
                    .append(seed.getOrDefault(h.key(), "")).append(" | ").append(escape(h.help())).append(" | ")
                    .append(escape(h.type().expected())).append(" | ")
                    .append(h.onResume() == Hyperparameter.OnResume.APPLY ? "applies" : "fixed").append(" |\n");
        }
        return sb.toString();
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|");
    }
}
