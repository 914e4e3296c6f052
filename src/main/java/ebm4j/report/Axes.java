package ebm4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * One plot area: maps data to pixels and draws the frame, light grid lines, "nice" ticks
 * (1, 2 or 5 times a power of ten) with labels, the axis labels and the panel title.
 */
final class Axes {
    private static final Color GRID = new Color(0xE6E6E6);
    private static final Color FRAME = new Color(0x444444);

    final Rectangle2D area;
    final double x0, x1, y0, y1;

    /** Data range [x0, x1] x [y0, y1] (each non-empty) drawn into {@code area}. */
    Axes(Rectangle2D area, double x0, double x1, double y0, double y1) {
        this.area = area;
        this.x0 = x0;
        this.x1 = x1;
        this.y0 = y0;
        this.y1 = y1;
    }

    double px(double x) {
        return area.getX() + (x - x0) / (x1 - x0) * area.getWidth();
    }

    double py(double y) {
        return area.getMaxY() - (y - y0) / (y1 - y0) * area.getHeight();
    }

    void draw(Canvas c, String title, String xLabel, String yLabel) {
        c.font(11, false);
        double[] xt = ticks(x0, x1, 6);
        double[] yt = ticks(y0, y1, 6);
        c.g.setStroke(new BasicStroke(1f));
        for (double t : xt) {
            c.g.setColor(GRID);
            c.g.draw(new Line2D.Double(px(t), area.getY(), px(t), area.getMaxY()));
            c.g.setColor(FRAME);
            c.g.draw(new Line2D.Double(px(t), area.getMaxY(), px(t), area.getMaxY() + 5));
            c.text(label(t, xt), px(t), area.getMaxY() + 18, Canvas.Align.CENTER);
        }
        for (double t : yt) {
            c.g.setColor(GRID);
            c.g.draw(new Line2D.Double(area.getX(), py(t), area.getMaxX(), py(t)));
            c.g.setColor(FRAME);
            c.g.draw(new Line2D.Double(area.getX() - 5, py(t), area.getX(), py(t)));
            c.text(label(t, yt), area.getX() - 8, py(t) + 4, Canvas.Align.RIGHT);
        }
        c.g.setColor(FRAME);
        c.g.draw(area);
        c.font(12, false);
        c.text(xLabel, area.getCenterX(), area.getMaxY() + 38, Canvas.Align.CENTER);
        c.verticalText(yLabel, area.getX() - 56, area.getCenterY());
        c.font(13, true);
        c.text(title, area.getCenterX(), area.getY() - 10, Canvas.Align.CENTER);
    }

    /**
     * Widens [lo, hi] by {@code pad} of its span on each side; an empty span (a constant series,
     * a single point) becomes a small band around the value so it still has a scale.
     */
    static double[] range(double lo, double hi, double pad) {
        if (!(hi > lo)) {
            double half = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            return new double[] {lo - half, lo + half};
        }
        double span = hi - lo;
        return new double[] {lo - pad * span, hi + pad * span};
    }

    /** About {@code target} nice tick values inside [lo, hi]. */
    static double[] ticks(double lo, double hi, int target) {
        double step = niceStep((hi - lo) / target);
        long first = (long) Math.ceil(lo / step - 1e-9);
        long last = (long) Math.floor(hi / step + 1e-9);
        int n = (int) Math.max(0, Math.min(100, last - first + 1));
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = (first + i) * step;
        }
        return t;
    }

    /**
     * The 1, 2 or 5 times a power of ten nearest to {@code raw} (Heckbert's "nice numbers"). No
     * 2.5: epoch axes would get ticks at 2.5, 7.5.
     */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        double nice = m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10;
        return nice * p;
    }

    /** A tick label with just enough decimals for the tick spacing. */
    static String label(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        double mag = Math.max(Math.abs(ticks.length > 0 ? ticks[0] : v), Math.abs(ticks.length > 0 ? ticks[ticks.length - 1] : v));
        if (v == 0 || Math.abs(v) < step * 1e-6) {
            return "0";
        }
        if (mag >= 1e6 || step < 1e-4) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        // Decimals of the step itself: 0.05 needs 2, 5 needs 0. Rounding removes 0.30000000000000004.
        int decimals = Math.max(0, new BigDecimal(step).round(new MathContext(3)).stripTrailingZeros().scale());
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
