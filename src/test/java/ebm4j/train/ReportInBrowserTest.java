package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.TinyRun;
import ebm4j.cli.Main;
import ebm4j.report.HeadlessChromium;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run's report.html, with an evaluation added, opened from disk in headless Chromium: every
 * image loads, the page logs no error, the timing and evaluation read as tables (no JSON), and a
 * full-page screenshot is kept as {@code report-screenshot.png} in the build folder for a person to
 * look at. Skipped where no Chromium is installed, failed there under EBM4J_REQUIRE_BROWSER=1 (CI).
 */
class ReportInBrowserTest {
    private static final Path SCREENSHOT = Path.of(System.getProperty("ebm4j.build.dir", "target"),
            "report-screenshot.png");

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void theReportRendersWithEveryImageAndNoError() throws Exception {
        Path run = TinyRun.folder();
        StringWriter log = new StringWriter();
        int code = Main.newCommandLine(new PrintWriter(log, true), new PrintWriter(log, true)).execute("eval",
                "--device", "cpu", "-c", run.toString(), "--data-dir", TinyRun.MNIST.toString(), "--limit", "500",
                "--samples", "20", "--steps", "2", "--judge", run.toString(), "--out", run.resolve("eval").toString());
        assertEquals(0, code, log.toString());
        Path report = run.resolve("report.html");

        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(report.toUri());
            JsonNode images = browser.evaluate("Array.from(document.images, i => ({src: i.getAttribute('src'),"
                    + " complete: i.complete, width: i.naturalWidth}))");
            List<String> sources = new ArrayList<>();
            for (JsonNode image : images) {
                sources.add(image.get("src").asText());
                assertTrue(image.get("complete").asBoolean() && image.get("width").asInt() > 0,
                        "image did not load: " + image);
            }
            for (String expected : List.of("figures/real_images.png", "figures/loss_curves.png",
                    "figures/final_generated_images.png", "eval/energy_histogram.png", "eval/samples.png",
                    "eval/conditional_samples.png")) {
                assertTrue(sources.contains(expected), expected + " is not on the page: " + sources);
            }

            String text = browser.evaluate("document.body.innerText").asText();
            for (String heading : List.of("Where the time went", "Throughput", "Classifier",
                    "Out-of-distribution detection", "Sample quality, as independent classifiers judge it")) {
                assertTrue(text.contains(heading), "no '" + heading + "' on the page");
            }
            assertEquals(0, browser.evaluate("document.querySelectorAll('pre').length").asInt(),
                    "no preformatted JSON dumps");
            assertFalse(text.contains("phases_ms") || text.contains("auroc_uniform_energy"), "raw JSON keys shown");
            assertFalse(text.contains("Other figures"), "every member of eval.json has its place in a table");
            assertTrue(text.matches("(?s).*accuracy\\t\\d{1,3}\\.\\d\\d %.*"), "accuracy as a percentage: " + text);

            Files.createDirectories(SCREENSHOT.toAbsolutePath().getParent());
            Files.write(SCREENSHOT, browser.screenshot(1200));
            assertEquals(List.of(), browser.errors(), "the page logged errors");
        }
    }
}
