package ebm4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A white, antialiased RGB drawing surface with text helpers. Text is drawn through here because a
 * headless machine without fonts makes Java2D throw on the first string: then the chart is still
 * written, without its labels, and one warning is logged.
 */
final class Canvas {
    private static final Logger log = LoggerFactory.getLogger(Canvas.class);
    private static volatile boolean fontsBroken;

    enum Align { LEFT, CENTER, RIGHT }

    final BufferedImage image;
    final Graphics2D g;

    Canvas(int width, int height) {
        // Before the first AWT call: rendering must never try to open a display.
        System.setProperty("java.awt.headless", "true");
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
    }

    void font(int size, boolean bold) {
        g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size));
    }

    /** Width of {@code s} in the current font, 0 when fonts are unavailable. */
    int width(String s) {
        if (fontsBroken) {
            return 0;
        }
        try {
            return g.getFontMetrics().stringWidth(s);
        } catch (RuntimeException | Error e) {
            fontsUnavailable(e);
            return 0;
        }
    }

    /** Draws {@code s} with its baseline at {@code y}, aligned on {@code x}. */
    void text(String s, double x, double y, Align align) {
        if (fontsBroken || s == null || s.isEmpty()) {
            return;
        }
        int w = width(s);
        double left = align == Align.LEFT ? x : align == Align.CENTER ? x - w / 2.0 : x - w;
        try {
            g.drawString(s, (float) left, (float) y);
        } catch (RuntimeException | Error e) {
            fontsUnavailable(e);
        }
    }

    /** Draws {@code s} rotated a quarter turn counter-clockwise, centred on (x, y): a y-axis label. */
    void verticalText(String s, double x, double y) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        text(s, 0, 0, Align.CENTER);
        g.setTransform(saved);
    }

    void write(Path png) throws IOException {
        g.dispose();
        Png.write(image, png);
    }

    private static void fontsUnavailable(Throwable e) {
        // Only font-system failures are expected here; a JVM in trouble must not be hidden.
        if (e instanceof VirtualMachineError && !(e instanceof InternalError)) {
            throw (VirtualMachineError) e;
        }
        if (!fontsBroken) {
            fontsBroken = true;
            log.warn("charts are drawn without text: no usable font ({}); install fontconfig and a font such as fonts-dejavu-core", e.toString());
        }
    }
}
