package ebm4j.config;

import ebm4j.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Builds a {@link TrainConfig} from three layers: the bundled defaults, an optional config file
 * (a path, or the name of a bundled preset such as {@code seed}), and command-line overrides. A
 * config file may start from another one with {@code extends=NAME} (a path or a preset), so a
 * variant of the original recipe names only what it changes. Every value is checked; the first
 * problem becomes a {@link UserException} naming the key, the bad value, where it came from and what
 * is allowed.
 */
public final class ConfigLoader {
    private static final String BUNDLED = "/ebm4j/config/";
    private static final String EXTENDS = "extends";
    private static final int MAX_EXTENDS = 8;

    private ConfigLoader() {}

    /** Keys a config may set; anything else is a typo the user wants to hear about. */
    public static final Set<String> KEYS = Set.copyOf(defaults().keySet());

    /** The bundled default.properties as an ordered map. */
    public static Map<String, String> defaults() {
        return readBundled("default");
    }

    /**
     * @param configFile null, a path to a properties file, or a bundled preset name
     * @param overrides  values from the command line (already in properties-key form)
     */
    public static TrainConfig load(String configFile, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>(defaults());
        Map<String, String> origin = new LinkedHashMap<>();
        values.keySet().forEach(k -> origin.put(k, "default.properties"));
        if (configFile != null) {
            Map<String, String> file = readWithBase(configFile, 0);
            for (Map.Entry<String, String> e : file.entrySet()) {
                requireKnown(e.getKey(), configFile);
                values.put(e.getKey(), e.getValue());
                origin.put(e.getKey(), configFile);
            }
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            requireKnown(e.getKey(), "the command line");
            values.put(e.getKey(), e.getValue());
            origin.put(e.getKey(), "the command line");
        }
        return parse(values, origin);
    }

    /**
     * Parses a key/value map saved with a run (a checkpoint's config). A key it lacks was written
     * before that option existed, when the option was off; the seed preset holds the off values.
     */
    public static TrainConfig fromProperties(Map<String, String> values, String source) {
        Map<String, String> merged = new LinkedHashMap<>(defaults());
        merged.putAll(readWithBase("seed", 0));
        Map<String, String> origin = new LinkedHashMap<>();
        merged.keySet().forEach(k -> origin.put(k, source));
        merged.putAll(values);
        return parse(merged, origin);
    }

    private static TrainConfig parse(Map<String, String> v, Map<String, String> origin) {
        Values p = new Values(v, origin);
        return new TrainConfig(
                p.intIn("epochs", 1, 100_000),
                p.intIn("batch_size", 1, 65_536),
                p.intIn("langevin_steps", 0, 100_000),
                p.floatIn("langevin_alpha", 0, 1e6f),
                p.floatIn("langevin_sigma", 0, 1e6f),
                p.floatPositive("lr", 10f),
                p.fileName("log_file"),
                p.hiddenDims("hidden_dims"),
                p.intIn("figure_every", 1, 100_000),
                p.longValue("seed"),
                p.intIn("train_subset", 0, 100_000_000),
                p.choice("energy_sign", TrainConfig.EnergySign.class),
                p.choice("objective", TrainConfig.Objective.class),
                p.floatIn("energy_l2", 0, 1e6f),
                p.floatIn("langevin_grad_clip", 0, 1e9f),
                p.floatIn("data_noise", 0, 10f),
                p.intIn("warmup_steps", 0, 100_000_000),
                p.floatIn("adam_beta1", 0, 0.999999f),
                p.floatIn("adam_beta2", 0, 0.99999994f),
                p.intIn("replay_size", 0, 1_000_000),
                p.floatIn("replay_reinit", 0, 1),
                p.floatIn("gen_weight", 0, 1e6f),
                p.choice("lr_schedule", TrainConfig.LrSchedule.class));
    }

    /** A config file's values over those of the file it extends, if any. */
    private static Map<String, String> readWithBase(String nameOrPath, int depth) {
        if (depth > MAX_EXTENDS) {
            throw new UserException("config file " + nameOrPath + ": more than " + MAX_EXTENDS
                    + " levels of 'extends' (a cycle?)");
        }
        Map<String, String> own = readConfig(nameOrPath);
        String base = own.remove(EXTENDS);
        if (base == null) {
            return own;
        }
        if (base.isBlank()) {
            throw new UserException("config file " + nameOrPath + ": 'extends' needs a preset name or a path");
        }
        Map<String, String> merged = readWithBase(base, depth + 1);
        merged.putAll(own);
        return merged;
    }

    private static void requireKnown(String key, String where) {
        if (!KEYS.contains(key)) {
            throw new UserException("unknown config key '" + key + "' in " + where
                    + "; known keys: " + String.join(", ", new java.util.TreeSet<>(KEYS)));
        }
    }

    private static Map<String, String> readConfig(String nameOrPath) {
        Path path = Path.of(nameOrPath);
        if (Files.isRegularFile(path)) {
            try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                return toMap(r, nameOrPath);
            } catch (IOException e) {
                throw new UserException("cannot read config file " + path + ": " + e.getMessage());
            }
        }
        String preset = nameOrPath.endsWith(".properties")
                ? path.getFileName().toString().replace(".properties", "") : nameOrPath;
        if (ConfigLoader.class.getResource(BUNDLED + preset + ".properties") != null
                && !nameOrPath.contains("/")) {
            return readBundled(preset);
        }
        throw new UserException("config file " + nameOrPath + " does not exist; give a path to a "
                + ".properties file or a bundled preset name (" + String.join(", ", presets()) + ")");
    }

    /** Names of the presets bundled in the jar. */
    public static List<String> presets() {
        return List.of("default", "seed", "seed-code");
    }

    private static Map<String, String> readBundled(String name) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(BUNDLED + name + ".properties")) {
            if (in == null) {
                throw new IllegalStateException("bundled preset missing from the jar: " + name);
            }
            return toMap(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled preset " + name, e);
        }
    }

    /** Reads properties keeping the file's key order (java.util.Properties does not). */
    private static Map<String, String> toMap(Reader reader, String where) throws IOException {
        Map<String, String> ordered = new LinkedHashMap<>();
        Properties props = new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object key, Object value) {
                ordered.put(key.toString().trim(), value.toString().trim());
                return super.put(key, value);
            }
        };
        try {
            props.load(reader);
        } catch (IllegalArgumentException e) {
            throw new UserException("malformed config file " + where + ": " + e.getMessage());
        }
        return ordered;
    }

    /** Typed, range-checked access to the merged values. */
    private static final class Values {
        private final Map<String, String> values;
        private final Map<String, String> origin;

        Values(Map<String, String> values, Map<String, String> origin) {
            this.values = values;
            this.origin = origin;
        }

        private String raw(String key) {
            String s = values.get(key);
            if (s == null || s.isBlank()) {
                throw bad(key, s, "a value");
            }
            return s.trim();
        }

        private UserException bad(String key, String value, String expected) {
            return new UserException(key + " must be " + expected + ", got '" + value + "' (from "
                    + origin.getOrDefault(key, "?") + ")");
        }

        int intIn(String key, int min, int max) {
            String s = raw(key);
            long n;
            try {
                n = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw bad(key, s, "an integer in [" + min + ", " + max + "]");
            }
            if (n < min || n > max) {
                throw bad(key, s, "an integer in [" + min + ", " + max + "]");
            }
            return (int) n;
        }

        long longValue(String key) {
            String s = raw(key);
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw bad(key, s, "an integer");
            }
        }

        float floatIn(String key, float min, float max) {
            String s = raw(key);
            float f = parseFloat(key, s);
            if (!(f >= min && f <= max)) {
                throw bad(key, s, "a finite number in [" + min + ", " + max + "]");
            }
            return f;
        }

        float floatPositive(String key, float max) {
            String s = raw(key);
            float f = parseFloat(key, s);
            if (!(f > 0 && f <= max)) {
                throw bad(key, s, "a finite number in (0, " + max + "]");
            }
            return f;
        }

        private float parseFloat(String key, String s) {
            try {
                float f = Float.parseFloat(s);
                if (!Float.isFinite(f)) {
                    throw bad(key, s, "a finite number");
                }
                return f;
            } catch (NumberFormatException e) {
                throw bad(key, s, "a number");
            }
        }

        String fileName(String key) {
            String s = raw(key);
            if (s.contains("/") || s.contains("\\") || s.equals("..") || s.equals(".")) {
                throw bad(key, s, "a plain file name (it is written inside the run folder)");
            }
            return s;
        }

        List<Integer> hiddenDims(String key) {
            String s = raw(key).replace("[", "").replace("]", "");
            List<Integer> dims = new ArrayList<>();
            for (String part : s.split("[,\\s]+")) {
                if (part.isEmpty()) {
                    continue;
                }
                try {
                    int d = Integer.parseInt(part);
                    if (d < 1 || d > 65_536) {
                        throw bad(key, s, "a list of layer widths, each in [1, 65536]");
                    }
                    dims.add(d);
                } catch (NumberFormatException e) {
                    throw bad(key, s, "a comma-separated list of layer widths such as 512,512,512");
                }
            }
            if (dims.isEmpty() || dims.size() > 16) {
                throw bad(key, s, "between 1 and 16 layer widths");
            }
            return dims;
        }

        <E extends Enum<E>> E choice(String key, Class<E> type) {
            String s = raw(key);
            try {
                return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                List<String> names = new ArrayList<>();
                for (E c : type.getEnumConstants()) {
                    names.add(c.name().toLowerCase(Locale.ROOT));
                }
                throw bad(key, s, "one of " + String.join(", ", names));
            }
        }
    }
}
