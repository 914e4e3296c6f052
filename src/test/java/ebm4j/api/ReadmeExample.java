package ebm4j.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java example in README.md, between the {@code java-api-example} markers: the tests compile
 * and run exactly that text, so the README cannot drift from the API.
 */
final class ReadmeExample {
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- java-api-example[^>]*-->\\s*```java\\n(.*?)```\\s*<!-- /java-api-example -->", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public class (\\w+)");

    /** The lines the example prints, as patterns (the numbers depend on the model). */
    static final Pattern OUTPUT = Pattern.compile("on the (CPU|GPU): P\\(7\\) of a sampled 7 is (\\d\\.\\d{3})\\n"
            + "in-distribution score: sampled 7 (-?\\d+\\.\\d\\d), black image (-?\\d+\\.\\d\\d)\\n");

    private ReadmeExample() {}

    /** The example's source text. */
    static String source() {
        try {
            String readme = Files.readString(Path.of("README.md"));
            Matcher m = BLOCK.matcher(readme);
            if (!m.find()) {
                throw new AssertionError("README.md has no ```java block between <!-- java-api-example --> markers");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The name of its public class (also its file name). */
    static String className(String source) {
        Matcher m = CLASS.matcher(source);
        if (!m.find()) {
            throw new AssertionError("the README example has no public class:\n" + source);
        }
        return m.group(1);
    }
}
