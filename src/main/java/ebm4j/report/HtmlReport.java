package ebm4j.report;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a self-contained one-page HTML report: a title, then sections holding key/value tables,
 * tables, images (by relative path, so the page works from the run folder with no server),
 * paragraphs and preformatted text. All text is HTML-escaped; the styling is a few inline rules.
 *
 * <pre>
 * new HtmlReport("ebm4j run").section("Settings").keyValues(map)
 *     .section("Samples").image("figures/final_generated_images.png", "after training")
 *     .write(runDir.resolve("report.html"));
 * </pre>
 */
public final class HtmlReport {
    private static final String CSS = String.join("\n",
            "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1120px;margin:2em auto;padding:0 1em;color:#222}",
            "h1{font-size:1.6em;border-bottom:2px solid #ddd;padding-bottom:.3em}",
            "h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #eee}",
            "h3{font-size:1.05em;margin:1.2em 0 .2em}",
            "table{border-collapse:collapse;margin:.8em 0;font-size:.92em}",
            "th,td{border:1px solid #ddd;padding:.3em .7em;text-align:left;vertical-align:top}",
            "th{background:#f4f4f4}",
            "td.num{text-align:right;font-variant-numeric:tabular-nums}",
            "table.kv th{width:16em}",
            "figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}",
            "figcaption{color:#666;font-size:.9em}",
            "pre{background:#f6f8fa;padding:.8em;overflow-x:auto;font-size:.85em}");

    private final String title;
    private final StringBuilder body = new StringBuilder();
    private boolean inSection;

    public HtmlReport(String title) {
        this.title = title;
    }

    /** Starts a new section with a heading; later content goes into it. */
    public HtmlReport section(String heading) {
        closeSection();
        body.append("<section>\n<h2>").append(escape(heading)).append("</h2>\n");
        inSection = true;
        return this;
    }

    /** A smaller heading inside the current section. */
    public HtmlReport subheading(String heading) {
        body.append("<h3>").append(escape(heading)).append("</h3>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A two-column table, one row per entry in the map's order; values via {@link #format}. */
    public HtmlReport keyValues(Map<String, ?> entries) {
        body.append("<table class=\"kv\">\n");
        for (Map.Entry<String, ?> e : entries.entrySet()) {
            body.append("<tr><th>").append(escape(e.getKey())).append("</th>").append(cell(e.getValue())).append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A table with a header row; cells via {@link #format}, numbers right-aligned. */
    public HtmlReport table(List<String> header, List<? extends List<?>> rows) {
        body.append("<table>\n<tr>");
        for (String h : header) {
            body.append("<th>").append(escape(h)).append("</th>");
        }
        body.append("</tr>\n");
        for (List<?> row : rows) {
            body.append("<tr>");
            for (Object v : row) {
                body.append(cell(v));
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** An image by path relative to the report file, with a caption (also its alt text). */
    public HtmlReport image(String relativePath, String caption) {
        body.append("<figure><img src=\"").append(escape(urlPath(relativePath))).append("\" alt=\"").append(escape(caption))
                .append("\"><figcaption>").append(escape(caption)).append("</figcaption></figure>\n");
        return this;
    }

    /** Text shown as is, in a monospaced block (logs, command lines). */
    public HtmlReport preformatted(String text) {
        body.append("<pre>").append(escape(text)).append("</pre>\n");
        return this;
    }

    /** The whole page. */
    public String render() {
        closeSection();
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + escape(title) + "</title>\n<style>\n" + CSS + "\n</style>\n</head>\n<body>\n"
                + "<h1>" + escape(title) + "</h1>\n" + body + "</body>\n</html>\n";
    }

    /** Writes the page as UTF-8, creating parent folders. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    /** Escapes the five characters with meaning in HTML text and attributes. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * A cell value as text: null as a dash, integers as they are, other numbers to 5 significant
     * digits (scientific outside 1e-3..1e6), NaN and infinities by name, everything else (a
     * {@link Quantity} included) by {@code toString}.
     */
    public static String format(Object v) {
        if (v == null) {
            return "—";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                return Double.toString(d);
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString((long) d);
            }
            if (Math.abs(d) >= 1e-3 && Math.abs(d) < 1e6) {
                return new BigDecimal(d).round(new MathContext(5)).stripTrailingZeros().toPlainString();
            }
            return String.format(Locale.ROOT, "%.4e", d);
        }
        return v.toString();
    }

    private static String cell(Object v) {
        String cls = v instanceof Number || v instanceof Quantity ? " class=\"num\"" : "";
        return "<td" + cls + ">" + escape(format(v)) + "</td>";
    }

    /** Percent-encodes what a URL path cannot hold literally (spaces, non-ASCII). */
    private static String urlPath(String path) {
        try {
            return new URI(null, null, path, null).toASCIIString();
        } catch (URISyntaxException e) {
            return path;
        }
    }

    private void closeSection() {
        if (inSection) {
            body.append("</section>\n");
            inSection = false;
        }
    }
}
