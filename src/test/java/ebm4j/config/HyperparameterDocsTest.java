package ebm4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The files that describe the hyperparameters are generated from {@link Hyperparameters}: these
 * tests fail, printing the expected text, when config/default.properties or the README table was
 * edited by hand or not regenerated after a descriptor changed.
 */
class HyperparameterDocsTest {
    private static final String BEGIN = "<!-- hyperparameters: generated from config/Hyperparameters.java -->";
    private static final String END = "<!-- /hyperparameters -->";

    @Test
    void defaultPropertiesIsGeneratedFromTheDescriptors() throws IOException {
        String expected = HyperparameterDocs.defaultProperties();
        String actual = Files.readString(Path.of("config/default.properties"), StandardCharsets.UTF_8);
        assertEquals(expected, actual, "regenerate config/default.properties; expected:\n" + expected);
    }

    @Test
    void theDefaultPresetIsTheDescriptorsDefaults() {
        assertEquals(ConfigLoader.load(null, Map.of()), ConfigLoader.load("default", Map.of()));
    }

    @Test
    void readmeTableIsGeneratedFromTheDescriptors() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int begin = readme.indexOf(BEGIN), end = readme.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md lacks the markers " + BEGIN + " ... " + END);
        String actual = readme.substring(begin + BEGIN.length(), end).strip() + "\n";
        String expected = HyperparameterDocs.markdownTable(ConfigLoader.presetValues("seed"));
        assertEquals(expected, actual, "regenerate the README table; expected:\n" + expected);
    }

    @Test
    void keysAndOptionNamesAreUnique() {
        Set<String> keys = new HashSet<>(), options = new HashSet<>();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            assertTrue(keys.add(h.key()), "key " + h.key() + " twice");
            for (String o : h.optionNames()) {
                assertTrue(options.add(o), "option " + o + " twice");
            }
            assertEquals(h, Hyperparameters.byKey(h.key()));
        }
    }

    @Test
    void everyPresetSetsOnlyKnownKeysWithValidValues() {
        for (String preset : ConfigLoader.presets()) {
            Map<String, String> values = ConfigLoader.presetValues(preset);
            values.keySet().forEach(k -> assertTrue(ConfigLoader.KEYS.contains(k), preset + ": " + k));
            ConfigLoader.load(preset, Map.of()); // throws on a bad value
        }
    }
}
