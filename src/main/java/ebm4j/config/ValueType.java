package ebm4j.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How one hyperparameter's value is read from text, checked and written back: the part of a
 * {@link Hyperparameter} that knows its type and range. {@link #parse} throws
 * {@link IllegalArgumentException} whose message is {@link #expected()}, which the loader turns
 * into "key must be EXPECTED, got 'text' (from SOURCE)".
 */
public interface ValueType<T> {
    /** Reads a value; throws IllegalArgumentException when it is malformed or out of range. */
    T parse(String text);

    /** The text that parses back to {@code value} (properties files, checkpoints, logs). */
    String format(T value);

    /** What a valid value looks like, e.g. "an integer in [1, 100000]". */
    String expected();

    static ValueType<Integer> intIn(int min, int max) {
        return new ValueType<>() {
            @Override
            public Integer parse(String text) {
                long n;
                try {
                    n = Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(expected());
                }
                if (n < min || n > max) {
                    throw new IllegalArgumentException(expected());
                }
                return (int) n;
            }

            @Override
            public String format(Integer value) {
                return Integer.toString(value);
            }

            @Override
            public String expected() {
                return "an integer in [" + min + ", " + max + "]";
            }
        };
    }

    static ValueType<Long> anyLong() {
        return new ValueType<>() {
            @Override
            public Long parse(String text) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(expected());
                }
            }

            @Override
            public String format(Long value) {
                return Long.toString(value);
            }

            @Override
            public String expected() {
                return "an integer";
            }
        };
    }

    /** A finite float in [min, max], or in (min, max] when {@code minExclusive}. */
    static ValueType<Float> floatIn(float min, float max, boolean minExclusive) {
        return new ValueType<>() {
            @Override
            public Float parse(String text) {
                float f;
                try {
                    f = Float.parseFloat(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(expected());
                }
                boolean aboveMin = minExclusive ? f > min : f >= min;
                if (!Float.isFinite(f) || !aboveMin || !(f <= max)) {
                    throw new IllegalArgumentException(expected());
                }
                return f;
            }

            @Override
            public String format(Float value) {
                return Float.toString(value);
            }

            @Override
            public String expected() {
                return "a finite number in " + (minExclusive ? "(" : "[") + trim(min) + ", " + trim(max) + "]";
            }
        };
    }

    /** One of an enum's constants, written in lower case. */
    static <E extends Enum<E>> ValueType<E> choice(Class<E> type) {
        return new ValueType<>() {
            @Override
            public E parse(String text) {
                for (E c : type.getEnumConstants()) {
                    if (c.name().equalsIgnoreCase(text)) {
                        return c;
                    }
                }
                throw new IllegalArgumentException(expected());
            }

            @Override
            public String format(E value) {
                return value.name().toLowerCase(Locale.ROOT);
            }

            @Override
            public String expected() {
                List<String> names = new ArrayList<>();
                for (E c : type.getEnumConstants()) {
                    names.add(format(c));
                }
                return "one of " + String.join(", ", names);
            }
        };
    }

    /**
     * A log file: a plain file name, or a path to a file (the original project's {@code --log_file}
     * took a path). Whoever writes it checks that the name does not collide with its own files.
     */
    static ValueType<String> logFile(String what) {
        return string(what, text -> {
            if (text.isEmpty() || text.endsWith("/") || text.endsWith("\\") || hasControl(text)) {
                return false;
            }
            try {
                java.nio.file.Path name = java.nio.file.Path.of(text).getFileName();
                return name != null && !name.toString().equals(".") && !name.toString().equals("..");
            } catch (java.nio.file.InvalidPathException e) {
                return false;
            }
        });
    }

    /** A plain name: no path separators, not "." or "..", no control characters. */
    static ValueType<String> name(String what) {
        return string(what, text -> !text.isEmpty() && !text.contains("/") && !text.contains("\\")
                && !text.equals(".") && !text.equals("..") && !hasControl(text));
    }

    /** Free text without control characters (checked later by whoever uses it, e.g. a registry). */
    static ValueType<String> text(String what) {
        return string(what, text -> !hasControl(text));
    }

    /** Text that {@code valid} accepts, kept as written. */
    private static ValueType<String> string(String what, java.util.function.Predicate<String> valid) {
        return new ValueType<>() {
            @Override
            public String parse(String text) {
                if (!valid.test(text)) {
                    throw new IllegalArgumentException(expected());
                }
                return text;
            }

            @Override
            public String format(String value) {
                return value;
            }

            @Override
            public String expected() {
                return what;
            }
        };
    }

    private static boolean hasControl(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }

    /** A comma-separated list of 1..maxCount integers, each in [min, max] ("[512, 512]" also reads). */
    static ValueType<List<Integer>> intList(int min, int max, int maxCount) {
        return new ValueType<>() {
            @Override
            public List<Integer> parse(String text) {
                List<Integer> out = new ArrayList<>();
                for (String part : text.replace("[", "").replace("]", "").split("[,\\s]+")) {
                    if (part.isEmpty()) {
                        continue;
                    }
                    long n;
                    try {
                        n = Long.parseLong(part);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(expected());
                    }
                    if (n < min || n > max) {
                        throw new IllegalArgumentException(expected());
                    }
                    out.add((int) n);
                }
                if (out.isEmpty() || out.size() > maxCount) {
                    throw new IllegalArgumentException(expected());
                }
                return List.copyOf(out);
            }

            @Override
            public String format(List<Integer> value) {
                return String.join(",", value.stream().map(String::valueOf).toList());
            }

            @Override
            public String expected() {
                return "a comma-separated list of 1 to " + maxCount + " integers in [" + min + ", " + max
                        + "], such as 512,512,512";
            }
        };
    }

    private static String trim(float f) {
        return f == Math.rint(f) && Math.abs(f) < 1e7 ? Long.toString((long) f) : Float.toString(f);
    }
}
