package ebm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The README's layering, checked on the sources: packages depend downwards only,
 * {@code cli → bench → train → eval → sample → model → {compute, config, data, report}}, the
 * bottom four import no sibling, {@code api} (the library face) sits beside {@code cli} and nothing
 * inside ebm4j imports it.
 */
class PackageLayersTest {
    /** Each top-level package's layer: a package may import only packages of a higher layer. */
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("cli", 0), Map.entry("api", 0), Map.entry("bench", 1), Map.entry("train", 2),
            Map.entry("eval", 3), Map.entry("sample", 4), Map.entry("model", 5), Map.entry("compute", 6),
            Map.entry("config", 6), Map.entry("data", 6), Map.entry("report", 6));
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?ebm4j\\.([a-z]+)\\.",
            Pattern.MULTILINE);
    private static final Path MAIN = Path.of("src/main/java/ebm4j");

    /** "from -> to (file)" for every import that goes sideways or upwards. */
    static List<String> violations(String fromPackage, String file, String source) {
        List<String> found = new ArrayList<>();
        Integer from = LAYER.get(fromPackage);
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            String to = m.group(1);
            if (to.equals(fromPackage)) continue;
            Integer layer = LAYER.get(to);
            if (from == null || layer == null || layer <= from) found.add(fromPackage + " -> " + to + " (" + file + ")");
        }
        return found;
    }

    @Test
    void packagesDependDownwardsOnly() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(MAIN)) {
            for (Path p : (Iterable<Path>) all.filter(f -> f.toString().endsWith(".java"))::iterator) {
                Path rel = MAIN.relativize(p);
                if (rel.getNameCount() < 2) continue; // the root package is usable by all
                files++;
                found.addAll(violations(rel.getName(0).toString(), rel.toString(), read(p)));
            }
        }
        assertTrue(files > 100, "sources found: " + files);
        assertEquals(List.of(), found, "imports against the layering in the README's Architecture section");
    }

    @Test
    void theCheckSeesSidewaysUpwardsAndUnknownPackages() {
        assertEquals(List.of(), violations("train", "T.java", "import ebm4j.model.EnergyModel;\nimport ebm4j.Json;\n"));
        assertEquals(3, violations("model", "M.java", "import ebm4j.train.Trainer;\nimport static ebm4j.sample.Samplers.x;\n"
                + "import ebm4j.api.TrainedModel;\n").size());
        assertEquals(1, violations("data", "D.java", "import ebm4j.report.Png;\n").size(), "siblings of the bottom layer");
        assertEquals(1, violations("newpkg", "N.java", "import ebm4j.model.X;\n").size(), "a new package needs a layer");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
