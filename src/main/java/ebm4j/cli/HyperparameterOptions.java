package ebm4j.cli;

import ebm4j.config.ConfigLoader;
import ebm4j.config.Hyperparameter;
import ebm4j.config.Hyperparameters;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code train} command's hyperparameter options: one per {@link Hyperparameter}, built from
 * the descriptors when picocli builds the command (a model transformer), so names, placeholders,
 * help and defaults cannot drift from the config. Values stay strings here: {@code ConfigLoader}
 * validates them, so a bad value gets the same message from the command line as from a file.
 */
public final class HyperparameterOptions implements CommandLine.IModelTransformer {
    /** The heading of the options' section in {@code train --help}. */
    static final String HEADING = "Hyperparameters (also config keys: --batch-size is batch_size):%n";

    /** The option naming a config file or preset. */
    static final String CONFIG = "--config";

    @Override
    public CommandSpec transform(CommandSpec spec) {
        ArgGroupSpec.Builder group = ArgGroupSpec.builder().heading(HEADING).exclusive(false).multiplicity("0..1");
        group.addArg(OptionSpec.builder(CONFIG).paramLabel("FILE").type(String.class)
                .description("Properties file, or a bundled preset: " + String.join(", ", ConfigLoader.presets())
                        + ". A file may start with extends=PRESET; its keys are the names below.")
                .build());
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            group.addArg(OptionSpec.builder(h.optionNames().toArray(String[]::new))
                    .paramLabel(h.label())
                    .type(String.class)
                    .description(sentence(h.help()) + " Default: " + h.defaultText() + "."
                            + (h.onResume() == Hyperparameter.OnResume.APPLY ? " Applies with --resume." : ""))
                    .build());
        }
        spec.addArgGroup(group.build());
        return spec;
    }

    /** The hyperparameters given on the command line, by config key, in descriptor order. */
    static Map<String, String> given(CommandSpec spec) {
        Map<String, String> values = new LinkedHashMap<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            OptionSpec option = parsed.matchedOption(h.optionNames().get(0));
            if (option != null) {
                values.put(h.key(), option.getValue());
            }
        }
        return values;
    }

    /** The {@value #CONFIG} given, or null. */
    static String configFile(CommandSpec spec) {
        OptionSpec option = spec.commandLine().getParseResult().matchedOption(CONFIG);
        return option == null ? null : option.getValue();
    }

    private static String sentence(String help) {
        return help + ".";
    }
}
