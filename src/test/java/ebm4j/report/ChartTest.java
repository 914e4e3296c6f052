package ebm4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartTest {
    @TempDir
    Path dir;

    @Test
    void linePanelsSideBySide() throws IOException {
        double[] epochs = {1, 2, 3, 4, 5};
        Chart.Series clf = new Chart.Series("classification", epochs, new double[] {2.3, 1.1, 0.6, Double.NaN, 0.3});
        Chart.Series gen = new Chart.Series("generative", epochs, new double[] {0.5, -0.2, Double.POSITIVE_INFINITY, 0.1, 0.05});
        Chart.Series flat = new Chart.Series("constant", epochs, new double[] {0.97, 0.97, 0.97, 0.97, 0.97});
        Chart.Series single = new Chart.Series("one point", new double[] {3}, new double[] {0.9});
        Path png = dir.resolve("loss_curves.png");
        Chart.lines(png, "Training", List.of(
                new Chart.Panel("Losses", "epoch", "loss", List.of(clf, gen)),
                new Chart.Panel("Accuracy", "epoch", "accuracy", List.of(flat, single)),
                new Chart.Panel("Empty", "x", "y", List.of(new Chart.Series("none", new double[] {Double.NaN}, new double[] {1})))));

        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(3 * 520, img.getWidth());
        assertEquals(440, img.getHeight());
        assertTrue(countColour(img, 0x1f77b4, 0, 520) > 100, "the first series is drawn in the first panel");
        assertTrue(countColour(img, 0x1f77b4, 520, 1040) > 50, "the constant series is drawn in the second panel");
        assertTrue(countNonWhite(img, 1040, 1560) > 500, "the empty panel still has axes");
    }

    @Test
    void histogramsOverlay() throws IOException {
        double[] a = new double[2000], b = new double[500];
        Random r = new Random(1);
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = 2 + 0.5 * r.nextGaussian();
        }
        b[0] = Double.NaN;
        b[1] = Double.NEGATIVE_INFINITY;
        Path png = dir.resolve("energy.png");
        Chart.histograms(png, "Energies", "E(x)", List.of(new Chart.Samples("test", a), new Chart.Samples("samples", b),
                new Chart.Samples("empty", new double[0])), 40);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(780, img.getWidth());
        assertEquals(440, img.getHeight());
        assertTrue(countColour(img, 0x1f77b4, 0, 780) > 50);
        assertTrue(countColour(img, 0xff7f0e, 0, 780) > 50);
    }

    @Test
    void histogramOfNothingStillWrites() throws IOException {
        Path png = dir.resolve("none.png");
        Chart.histograms(png, "nothing", "x", List.of(new Chart.Samples("nan", new double[] {Double.NaN})), 10);
        assertEquals(780, ImageIO.read(png.toFile()).getWidth());
        Chart.histograms(png, "constant", "x", List.of(new Chart.Samples("c", new double[] {3, 3, 3})), 10);
        assertTrue(countNonWhite(ImageIO.read(png.toFile()), 0, 780) > 500);
    }

    @Test
    void densityHasUnitArea() {
        double[] d = Chart.density(new double[] {0.1, 0.2, 0.6, 0.9, 1.0, Double.NaN}, 0, 0.5, 2);
        assertArrayEquals(new double[] {0.8, 1.2}, d, 1e-12);
    }

    @Test
    void niceTicksAndLabels() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, Axes.ticks(-0.01, 1.01, 5), 1e-12);
        assertArrayEquals(new double[] {0, 2, 4, 6, 8, 10, 12, 14}, Axes.ticks(0, 15, 6), 1e-12);
        assertEquals("0.05", Axes.label(0.05, Axes.ticks(0, 0.3, 6)));
        assertEquals("0.3", Axes.label(0.30000000000000004, Axes.ticks(0, 1, 8)));
        assertEquals("15", Axes.label(15, Axes.ticks(0, 15, 6)));
        assertEquals("0", Axes.label(-1e-17, Axes.ticks(-1, 1, 4)));
        assertEquals("2.00e+06", Axes.label(2e6, Axes.ticks(0, 5e6, 5)));
    }

    @Test
    void seriesNeedMatchingLengths() {
        assertThrows(IllegalArgumentException.class, () -> new Chart.Series("bad", new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> Chart.lines(dir.resolve("x.png"), "t", List.of()));
    }

    private static int countColour(BufferedImage img, int rgb, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = x0; x < x1; x++) {
                n += (img.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return n;
    }

    private static int countNonWhite(BufferedImage img, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = x0; x < x1; x++) {
                n += (img.getRGB(x, y) & 0xffffff) != 0xffffff ? 1 : 0;
            }
        }
        return n;
    }
}
