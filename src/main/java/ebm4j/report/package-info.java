/**
 * Run outputs in plain JDK: PNG image grids ({@link ebm4j.report.ImageGrid}) and charts
 * ({@link ebm4j.report.Chart}) through Java2D and ImageIO, a small JSON writer and reader
 * ({@link ebm4j.report.Json}) for {@code metrics.jsonl} and {@code timing.json}, and the one-page
 * {@code report.html} ({@link ebm4j.report.HtmlReport}). Rendering runs headless.
 */
package ebm4j.report;
