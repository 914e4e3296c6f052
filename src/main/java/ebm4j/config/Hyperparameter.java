package ebm4j.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One hyperparameter, described once: its key (in properties files and checkpoint metadata: the
 * original project's flag name), its command-line names, its type and range, its default and its
 * help. Everything else is derived from this description: the {@code train} options and their
 * help text, validation, {@link TrainConfig#toProperties()}, the presets' check and the README
 * table (see {@link Hyperparameters#ALL}).
 *
 * @param <T> the value's Java type
 */
public final class Hyperparameter<T> {
    private final String key;
    private final List<String> optionNames;
    private final String label;
    private final ValueType<T> type;
    private final T defaultValue;
    private final String help;

    private Hyperparameter(String key, List<String> extraNames, String label, ValueType<T> type, String defaultText,
                           String help) {
        this.key = Objects.requireNonNull(key);
        this.label = label;
        this.type = type;
        this.help = help;
        Set<String> names = new LinkedHashSet<>();
        names.add("--" + key.replace('_', '-'));
        names.add("--" + key);
        names.addAll(extraNames);
        this.optionNames = List.copyOf(new ArrayList<>(names));
        // the default goes through the same parser as user input, so a bad default fails at class load
        this.defaultValue = type.parse(defaultText);
    }

    static <T> Hyperparameter<T> of(String key, String label, ValueType<T> type, String defaultText, String help) {
        return new Hyperparameter<>(key, List.of(), label, type, defaultText, help);
    }

    /** Also answers to {@code extraNames} on the command line (e.g. "--hidden"). */
    static <T> Hyperparameter<T> of(String key, List<String> extraNames, String label, ValueType<T> type,
                                    String defaultText, String help) {
        return new Hyperparameter<>(key, extraNames, label, type, defaultText, help);
    }

    /** The properties key, e.g. {@code batch_size}. */
    public String key() {
        return key;
    }

    /** Command-line names: {@code --batch-size}, {@code --batch_size}, then any extra aliases. */
    public List<String> optionNames() {
        return optionNames;
    }

    /** The value's placeholder in help, e.g. {@code N}. */
    public String label() {
        return label;
    }

    public ValueType<T> type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** One line: what the value means (without the default, which {@link #defaultText()} gives). */
    public String help() {
        return help;
    }

    public String defaultText() {
        return type.format(defaultValue);
    }

    /** Parses text for this parameter (IllegalArgumentException with {@link ValueType#expected()}). */
    public T parse(String text) {
        return type.parse(text.trim());
    }

    /** The text of a value of this parameter (as stored in properties and checkpoints). */
    @SuppressWarnings("unchecked")
    public String format(Object value) {
        return type.format((T) value);
    }

    @Override
    public String toString() {
        return key;
    }
}
