package ebm4j.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One hyperparameter, described once: its key (in properties files and checkpoint metadata: the
 * original project's flag name), its command-line names, its type and range, its default, its
 * help, and what {@code train --resume} does with a new value ({@link OnResume}). Everything else is derived from this description: the {@code train} options and their
 * help text, validation, {@link TrainConfig#toProperties()}, the presets' check and the README
 * table (see {@link Hyperparameters#ALL}).
 *
 * @param <T> the value's Java type
 */
public final class Hyperparameter<T> {
    /**
     * What {@code train --resume} does with a value given on its command line. A resumed run
     * keeps its checkpoint's hyperparameters; only those whose change is sound mid-run apply.
     */
    public enum OnResume {
        /** The new value applies from the resumed position on (e.g. more epochs, a new base rate). */
        APPLY,
        /** Fixed for the run: refused (exit 2) unless it repeats the run's own value. */
        FIXED
    }

    private final String key;
    private final List<String> optionNames;
    private final List<String> extraNames;
    private final String label;
    private final ValueType<T> type;
    private final T defaultValue;
    private final String help;
    private final OnResume onResume;

    private Hyperparameter(String key, List<String> extraNames, String label, ValueType<T> type, String defaultText,
                           String help, OnResume onResume) {
        this.key = Objects.requireNonNull(key);
        this.onResume = Objects.requireNonNull(onResume);
        this.label = label;
        this.type = type;
        this.help = help;
        Set<String> names = new LinkedHashSet<>();
        names.add("--" + key.replace('_', '-'));
        names.add("--" + key);
        names.addAll(extraNames);
        this.optionNames = List.copyOf(new ArrayList<>(names));
        this.extraNames = List.copyOf(extraNames);
        // the default goes through the same parser as user input, so a bad default fails at class load
        this.defaultValue = type.parse(defaultText);
    }

    static <T> Hyperparameter<T> of(String key, String label, ValueType<T> type, String defaultText, String help) {
        return new Hyperparameter<>(key, List.of(), label, type, defaultText, help, OnResume.FIXED);
    }

    /** Also answers to {@code extraNames} on the command line (e.g. "--hidden"). */
    static <T> Hyperparameter<T> of(String key, List<String> extraNames, String label, ValueType<T> type,
                                    String defaultText, String help) {
        return new Hyperparameter<>(key, extraNames, label, type, defaultText, help, OnResume.FIXED);
    }

    /** The same parameter, but its value given with {@code --resume} applies to the resumed run. */
    Hyperparameter<T> appliesOnResume() {
        return new Hyperparameter<>(key, extraNames, label, type, defaultText(), help, OnResume.APPLY);
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

    /** What {@code train --resume} does with a value given for this parameter. */
    public OnResume onResume() {
        return onResume;
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
