package ebm4j.config;

import ebm4j.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;

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
    /** The origin of a value no file or flag gave (error messages name it; replay_reinit_final tells given from not). */
    private static final String FROM_DEFAULTS = "the defaults";

    private ConfigLoader() {}

    /** Keys a config may set; anything else is a typo the user wants to hear about. */
    public static final Set<String> KEYS = Hyperparameters.ALL.stream().map(Hyperparameter::key)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** The defaults, as properties-file keys and strings in {@link Hyperparameters#ALL} order. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        Hyperparameters.ALL.forEach(h -> d.put(h.key(), h.defaultText()));
        return d;
    }

    /**
     * @param configFile null, a path to a properties file, or a bundled preset name
     * @param overrides  values from the command line (already in properties-key form)
     */
    public static TrainConfig load(String configFile, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>(defaults());
        Map<String, String> origin = new LinkedHashMap<>();
        values.keySet().forEach(k -> origin.put(k, FROM_DEFAULTS));
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
        lastEpochFollowsReplayReinit(values, origin, k -> !origin.get(k).equals(FROM_DEFAULTS));
        return parse(values, origin);
    }

    /**
     * replay_reinit_final, when not given, takes replay_reinit's value: a run that sets only
     * replay_reinit restarts its last epoch's chains like every other, and so did every run saved
     * before the option existed.
     */
    private static void lastEpochFollowsReplayReinit(Map<String, String> values, Map<String, String> origin,
                                                     Predicate<String> given) {
        String reinit = Hyperparameters.REPLAY_REINIT.key(), last = Hyperparameters.REPLAY_REINIT_FINAL.key();
        if (given.test(reinit) && !given.test(last)) {
            values.put(last, values.get(reinit));
            origin.put(last, origin.get(reinit));
        }
    }

    /**
     * Parses a key/value map saved with a run (a checkpoint's config). A key it lacks was written
     * before that option existed, when the option was off; the seed preset holds the off values,
     * but for replay_reinit_final, which follows the run's own replay_reinit.
     */
    public static TrainConfig fromProperties(Map<String, String> values, String source) {
        Map<String, String> merged = new LinkedHashMap<>(defaults());
        merged.putAll(readWithBase("seed", 0));
        Map<String, String> origin = new LinkedHashMap<>();
        merged.keySet().forEach(k -> origin.put(k, source));
        for (Map.Entry<String, String> e : values.entrySet()) {
            requireKnown(e.getKey(), source);
            merged.put(e.getKey(), e.getValue());
        }
        lastEpochFollowsReplayReinit(merged, origin, values::containsKey);
        return parse(merged, origin);
    }

    /** A copy of {@code base} with some values replaced (validated like any other input). */
    public static TrainConfig with(TrainConfig base, Map<String, String> changes, String source) {
        Map<String, String> values = new LinkedHashMap<>(base.toProperties());
        Map<String, String> origin = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : changes.entrySet()) {
            requireKnown(e.getKey(), source);
            values.put(e.getKey(), e.getValue());
            origin.put(e.getKey(), source);
        }
        return parse(values, origin);
    }

    private static TrainConfig parse(Map<String, String> text, Map<String, String> origin) {
        Map<Hyperparameter<?>, Object> values = new LinkedHashMap<>();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            String raw = text.get(h.key());
            try {
                if (raw == null || raw.isBlank()) {
                    throw new IllegalArgumentException("a value: " + h.type().expected());
                }
                values.put(h, h.parse(raw));
            } catch (IllegalArgumentException e) {
                throw new UserException(h.key() + " must be " + e.getMessage() + ", got '" + raw + "' (from "
                        + origin.getOrDefault(h.key(), "?") + ")");
            }
        }
        TrainConfig config = new TrainConfig(values);
        requireConsistent(config);
        return config;
    }

    /** Relations between values that no single value's type can state. */
    private static void requireConsistent(TrainConfig c) {
        int noise = c.noiseChains();
        if (noise == 0) {
            return;
        }
        if (c.objective() != TrainConfig.Objective.JOINT || c.replaySize() == 0) {
            throw new UserException("noise_chains needs the persistent pool of the joint objective (objective=joint,"
                    + " replay_size > 0), got objective=" + c.objective().name().toLowerCase(java.util.Locale.ROOT)
                    + ", replay_size=" + c.replaySize());
        }
        if (noise >= c.batchSize()) {
            throw new UserException("noise_chains (" + noise + ") must be below batch_size (" + c.batchSize()
                    + "): the pool supplies the batch's other negatives");
        }
        if (c.langevinSteps() == 0 || c.noiseChainLife() % c.langevinSteps() != 0) {
            throw new UserException("noise_chain_life (" + c.noiseChainLife() + ") must be a multiple of langevin_steps ("
                    + c.langevinSteps() + "): a chain lives a whole number of training steps");
        }
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

    /** The values a bundled preset sets (after its {@code extends}), as written in its file. */
    public static Map<String, String> presetValues(String name) {
        if (!presets().contains(name)) {
            throw new IllegalArgumentException("no bundled preset " + name);
        }
        return readWithBase(name, 0);
    }

    /** Names of the presets bundled in the jar. */
    public static List<String> presets() {
        return List.of("default", "plain", "augmented", "seed", "seed-code", "judge-mlp", "judge-cnn");
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
}
