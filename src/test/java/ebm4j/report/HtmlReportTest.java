package ebm4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    @Test
    void escapesEverything() {
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("<b>key</b>", "<script>alert('x')</script>");
        kv.put("accuracy", 0.987654321);
        kv.put("missing", null);
        String html = new HtmlReport("Run <script>alert(1)</script> & co")
                .section("Settings \"quoted\"").keyValues(kv)
                .section("Table").table(List.of("<th>"), List.of(List.of("<td>"), Arrays.asList(42, Double.NaN)))
                .preformatted("log line <script>\n  & more")
                .paragraph("p <script>")
                .image("figures/my figure \"1\".png", "<caption>")
                .render();
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("<b>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assertTrue(html.contains("Run &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
        assertTrue(html.contains("<td class=\"num\">0.98765</td>"), html);
        assertTrue(html.contains("<td class=\"num\">42</td>"), html);
        assertTrue(html.contains("<td class=\"num\">NaN</td>"), html);
        assertTrue(html.contains("src=\"figures/my%20figure%20%221%22.png\""), html);
        assertEquals(2, count(html, "<section>"));
        assertEquals(2, count(html, "</section>"));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
    }

    @Test
    void writesUtf8File(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run/report.html");
        new HtmlReport("Größe").paragraph("ünïcode").write(file);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.contains("<meta charset=\"utf-8\">"));
        assertTrue(text.contains("ünïcode"));
    }

    @Test
    void formatsNumbers() {
        assertEquals("3", HtmlReport.format(3.0));
        assertEquals("0.0012346", HtmlReport.format(0.00123456789));
        assertEquals("1.2346e-05", HtmlReport.format(1.23456e-5));
        assertEquals("—", HtmlReport.format(null));
        assertEquals("Infinity", HtmlReport.format(Double.POSITIVE_INFINITY));
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
