package ebm4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Point2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Line charts (one or more panels side by side) and overlaid histograms as PNG, drawn with Java2D:
 * antialiased, with axes, ticks, labels, legend and title. Non-finite points are skipped (a line
 * breaks there), a single point shows as a dot, and a constant series gets a small band of scale.
 */
public final class Chart {
    /** Matplotlib's "tab10" colours, familiar from the original project's figures. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };
    private static final int PANEL_W = 520;
    private static final int PANEL_H = 400;
    private static final int TITLE_H = 40;
    private static final int LEFT = 78, RIGHT = 22, TOP = 36, BOTTOM = 56;
    /** Up to this many points a series also gets markers, so sparse curves (per epoch) read well. */
    private static final int MARKER_LIMIT = 60;

    /** One named curve; {@code x} and {@code y} have equal length. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            Objects.requireNonNull(x, "x");
            Objects.requireNonNull(y, "y");
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": x has " + x.length + " points, y " + y.length);
            }
        }
    }

    /** One set of axes with its curves. */
    public record Panel(String title, String xLabel, String yLabel, List<Series> series) {
        public Panel {
            series = List.copyOf(series);
        }
    }

    /** Named values whose distribution a histogram shows. */
    public record Samples(String name, double[] values) {
        public Samples {
            Objects.requireNonNull(values, "values");
        }
    }

    private Chart() {}

    /** Writes the panels side by side under a common title. */
    public static void lines(Path png, String title, List<Panel> panels) throws IOException {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("a chart needs at least one panel");
        }
        Canvas c = new Canvas(PANEL_W * panels.size(), PANEL_H + TITLE_H);
        drawTitle(c, title);
        for (int p = 0; p < panels.size(); p++) {
            drawLinePanel(c, panels.get(p), p * PANEL_W, TITLE_H);
        }
        c.write(png);
    }

    /**
     * Writes overlaid histograms over a common range, each normalised to unit area so sets of
     * different sizes compare (e.g. energies of test images, samples and out-of-distribution data).
     */
    public static void histograms(Path png, String title, String xLabel, List<Samples> samples, int bins) throws IOException {
        if (bins <= 0) {
            throw new IllegalArgumentException("bins must be > 0, got " + bins);
        }
        int width = PANEL_W * 3 / 2;
        Canvas c = new Canvas(width, PANEL_H + TITLE_H);
        drawTitle(c, title);
        Rectangle2D area = plotArea(0, TITLE_H, width);
        // No panel title above a single histogram: give its room to the plot.
        area.setRect(area.getX(), area.getY() - TOP / 2.0, area.getWidth(), area.getHeight() + TOP / 2.0);

        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Samples s : samples) {
            for (double v : s.values()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            drawEmpty(c, area, "", xLabel, "density");
            c.write(png);
            return;
        }
        double[] xr = Axes.range(lo, hi, 0);
        double binWidth = (xr[1] - xr[0]) / bins;
        double[][] density = new double[samples.size()][];
        double top = 0;
        for (int k = 0; k < samples.size(); k++) {
            density[k] = density(samples.get(k).values(), xr[0], binWidth, bins);
            for (double d : density[k]) {
                top = Math.max(top, d);
            }
        }
        Axes axes = new Axes(area, xr[0], xr[1], 0, top > 0 ? top * 1.08 : 1);
        axes.draw(c, "", xLabel, "density");
        c.g.setClip(area);
        String[] names = new String[samples.size()];
        List<Point2D> points = new ArrayList<>();
        for (int k = 0; k < samples.size(); k++) {
            Path2D.Double step = new Path2D.Double();
            step.moveTo(axes.px(xr[0]), axes.py(0));
            for (int b = 0; b < bins; b++) {
                // The bar's top edge and a point inside it, for placing the legend.
                double cx = axes.px(xr[0] + (b + 0.5) * binWidth);
                points.add(new Point2D.Double(cx, axes.py(density[k][b])));
                points.add(new Point2D.Double(cx, axes.py(density[k][b] / 2)));
                step.lineTo(axes.px(xr[0] + b * binWidth), axes.py(density[k][b]));
                step.lineTo(axes.px(xr[0] + (b + 1) * binWidth), axes.py(density[k][b]));
            }
            step.lineTo(axes.px(xr[1]), axes.py(0));
            Color color = color(k);
            c.g.setColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
            c.g.fill(step);
            c.g.setColor(color);
            c.g.setStroke(new BasicStroke(1.5f));
            c.g.draw(step);
            names[k] = samples.get(k).name() + " (n=" + finiteCount(samples.get(k).values()) + ")";
        }
        c.g.setClip(null);
        drawLegend(c, area, names, points);
        c.write(png);
    }

    /** Histogram of the finite values, normalised to unit area (all zero when there are none). */
    static double[] density(double[] values, double lo, double binWidth, int bins) {
        double[] d = new double[bins];
        int n = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                int b = (int) Math.floor((v - lo) / binWidth);
                d[Math.max(0, Math.min(bins - 1, b))]++;
                n++;
            }
        }
        for (int b = 0; b < bins && n > 0; b++) {
            d[b] /= n * binWidth;
        }
        return d;
    }

    private static void drawLinePanel(Canvas c, Panel panel, int left, int top) {
        Rectangle2D area = plotArea(left, top, PANEL_W);
        double xlo = Double.POSITIVE_INFINITY, xhi = Double.NEGATIVE_INFINITY;
        double ylo = Double.POSITIVE_INFINITY, yhi = Double.NEGATIVE_INFINITY;
        for (Series s : panel.series()) {
            for (int i = 0; i < s.x().length; i++) {
                if (finite(s, i)) {
                    xlo = Math.min(xlo, s.x()[i]);
                    xhi = Math.max(xhi, s.x()[i]);
                    ylo = Math.min(ylo, s.y()[i]);
                    yhi = Math.max(yhi, s.y()[i]);
                }
            }
        }
        if (xlo > xhi) {
            drawEmpty(c, area, panel.title(), panel.xLabel(), panel.yLabel());
            return;
        }
        double[] xr = Axes.range(xlo, xhi, 0.02);
        double[] yr = Axes.range(ylo, yhi, 0.06);
        Axes axes = new Axes(area, xr[0], xr[1], yr[0], yr[1]);
        axes.draw(c, panel.title(), panel.xLabel(), panel.yLabel());

        c.g.setClip(area);
        String[] names = new String[panel.series().size()];
        List<Point2D> points = new ArrayList<>();
        for (int k = 0; k < panel.series().size(); k++) {
            Series s = panel.series().get(k);
            drawSeries(c, axes, s, color(k));
            names[k] = s.name();
            for (int i = 0; i < s.x().length; i++) {
                if (finite(s, i)) {
                    points.add(new Point2D.Double(axes.px(s.x()[i]), axes.py(s.y()[i])));
                }
            }
        }
        c.g.setClip(null);
        drawLegend(c, area, names, points);
    }

    private static void drawSeries(Canvas c, Axes axes, Series s, Color color) {
        int n = s.x().length;
        int finiteCount = 0;
        Path2D.Double line = new Path2D.Double();
        boolean penDown = false;
        for (int i = 0; i < n; i++) {
            if (!finite(s, i)) {
                penDown = false; // a gap, not a line through the missing point
                continue;
            }
            finiteCount++;
            double px = axes.px(s.x()[i]), py = axes.py(s.y()[i]);
            if (penDown) {
                line.lineTo(px, py);
            } else {
                line.moveTo(px, py);
                penDown = true;
            }
        }
        c.g.setColor(color);
        c.g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        c.g.draw(line);
        for (int i = 0; i < n; i++) {
            boolean isolated = finite(s, i) && (i == 0 || !finite(s, i - 1)) && (i == n - 1 || !finite(s, i + 1));
            if (finite(s, i) && (finiteCount <= MARKER_LIMIT || isolated)) {
                c.g.fill(dot(axes.px(s.x()[i]), axes.py(s.y()[i]), 3.2));
            }
        }
    }

    /**
     * Draws the legend in the corner of {@code area} that covers the fewest of {@code points}
     * (pixel coordinates), so it hides as little of the data as it can.
     */
    private static void drawLegend(Canvas c, Rectangle2D area, String[] names, List<Point2D> points) {
        int shown = 0;
        int textWidth = 0;
        c.font(11, false);
        for (String name : names) {
            if (name != null && !name.isEmpty()) {
                shown++;
                textWidth = Math.max(textWidth, c.width(name));
            }
        }
        if (shown == 0) {
            return;
        }
        double w = 36 + textWidth, h = 8 + 17 * shown;
        Rectangle2D box = null;
        long fewest = Long.MAX_VALUE;
        double[][] corners = {
            {area.getMaxX() - w - 8, area.getY() + 8}, {area.getX() + 8, area.getY() + 8},
            {area.getMaxX() - w - 8, area.getMaxY() - h - 8}, {area.getX() + 8, area.getMaxY() - h - 8},
        };
        for (double[] corner : corners) {
            Rectangle2D candidate = new Rectangle2D.Double(corner[0], corner[1], w, h);
            long covered = points.stream().filter(candidate::contains).count();
            if (covered < fewest) {
                fewest = covered;
                box = candidate;
            }
        }
        double x = box.getX(), y = box.getY();
        c.g.setColor(new Color(255, 255, 255, 225));
        c.g.fill(new Rectangle2D.Double(x, y, w, h));
        c.g.setColor(new Color(0xBBBBBB));
        c.g.setStroke(new BasicStroke(1f));
        c.g.draw(new Rectangle2D.Double(x, y, w, h));
        int row = 0;
        for (int k = 0; k < names.length; k++) {
            if (names[k] == null || names[k].isEmpty()) {
                continue;
            }
            double cy = y + 12.5 + 17 * row++;
            c.g.setColor(color(k));
            c.g.setStroke(new BasicStroke(2.5f));
            c.g.draw(new Line2D.Double(x + 6, cy, x + 26, cy));
            c.g.setColor(Color.DARK_GRAY);
            c.text(names[k], x + 31, cy + 4, Canvas.Align.LEFT);
        }
    }

    private static void drawEmpty(Canvas c, Rectangle2D area, String title, String xLabel, String yLabel) {
        new Axes(area, 0, 1, 0, 1).draw(c, title, xLabel, yLabel);
        c.font(12, false);
        c.g.setColor(Color.GRAY);
        c.text("no finite data", area.getCenterX(), area.getCenterY(), Canvas.Align.CENTER);
    }

    private static void drawTitle(Canvas c, String title) {
        c.font(15, true);
        c.g.setColor(Color.BLACK);
        c.text(title, c.image.getWidth() / 2.0, 26, Canvas.Align.CENTER);
    }

    private static Rectangle2D plotArea(int left, int top, int width) {
        return new Rectangle2D.Double(left + LEFT, top + TOP, width - LEFT - RIGHT, PANEL_H - TOP - BOTTOM);
    }

    private static boolean finite(Series s, int i) {
        return Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]);
    }

    private static int finiteCount(double[] values) {
        int n = 0;
        for (double v : values) {
            n += Double.isFinite(v) ? 1 : 0;
        }
        return n;
    }

    private static Shape dot(double x, double y, double r) {
        return new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r);
    }

    private static Color color(int k) {
        return PALETTE[k % PALETTE.length];
    }
}
