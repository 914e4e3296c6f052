package ebm4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The browser checks see what they look for: a page with a missing image and a script error fails them. */
class HeadlessChromiumTest {
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aBrokenPageShowsItsMissingImageAndItsErrors(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("broken.html");
        Files.writeString(page, "<!DOCTYPE html><html><body><img src=\"missing.png\" alt=\"gone\">"
                + "<script>console.error('logged on purpose'); undefinedFunction();</script></body></html>");
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(page.toUri());
            JsonNode images = browser.evaluate("Array.from(document.images, i => i.naturalWidth)");
            assertEquals(1, images.size());
            assertEquals(0, images.get(0).asInt(), "the missing image has no width");
            List<String> errors = browser.errors();
            assertTrue(errors.stream().anyMatch(e -> e.startsWith("console.error") && e.contains("logged on purpose")),
                    errors.toString());
            assertTrue(errors.stream().anyMatch(e -> e.startsWith("exception") && e.contains("undefinedFunction")),
                    errors.toString());
            assertTrue(errors.stream().anyMatch(e -> e.startsWith("log") && e.contains("missing.png")),
                    errors.toString());
            byte[] png = browser.screenshot(400);
            assertTrue(png.length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
        }
    }
}
