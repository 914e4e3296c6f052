package ebm4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path dir;

    @Test
    void writesAGridOfScaledTiles() throws IOException {
        int n = 10;
        float[] images = new float[n * 784];
        Arrays.fill(images, -1f);
        images[0] = 1f;              // image 0, pixel (0,0) white
        images[784 + 28 * 3 + 5] = 5f; // image 1, pixel (3,5), clamped to white
        images[2 * 784] = Float.NaN;  // image 2, pixel (0,0): drawn black
        images[3 * 784] = 0f;         // mid gray
        Path png = dir.resolve("figures/grid.png");
        ImageGrid.write(png, images, n, 4, 28, 28, 1);

        BufferedImage img = ImageIO.read(png.toFile());
        // 4 columns x 3 rows of 28 px tiles, 2 px padding around each, everything scaled 2x.
        assertEquals((4 * 30 + 2) * 2, img.getWidth());
        assertEquals((3 * 30 + 2) * 2, img.getHeight());
        assertEquals(128, gray(img, 0, 0), "padding");
        assertEquals(255, gray(img, 2 * 2, 2 * 2), "image 0 (0,0)");
        assertEquals(255, gray(img, 2 * 2 + 1, 2 * 2 + 1), "scaled 2x");
        assertEquals(0, gray(img, 2 * 2 + 2, 2 * 2), "image 0 (0,1)");
        assertEquals(255, gray(img, (32 + 5) * 2, (2 + 3) * 2), "image 1 (3,5)");
        assertEquals(0, gray(img, (62) * 2, 2 * 2), "NaN is black");
        assertEquals(128, gray(img, (92) * 2, 2 * 2), "0 is mid gray");
        assertEquals(1, Files.list(png.getParent()).count(), "no temp file left");
    }

    @Test
    void fewerImagesThanColumnsMakeOneRow() {
        BufferedImage img = ImageGrid.render(new float[3 * 784], 3, 8, 28, 28, 1);
        assertEquals((3 * 30 + 2) * 2, img.getWidth());
        assertEquals(32 * 2, img.getHeight());
    }

    @Test
    void rejectsTooFewFloats() {
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(new float[783], 1, 1, 28, 28, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(new float[784], 1, 0, 28, 28, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(new float[784], 1, 1, 28, 28, 2));
    }

    @Test
    void colourTilesOfAnySizeKeepTheirChannels() {
        // one 40x30 RGB image (no enlargement above 32 px): pixel (2, 7) pure red, (3, 7) pure blue
        float[] img = new float[40 * 30 * 3];
        Arrays.fill(img, -1f);
        int red = (2 * 30 + 7) * 3, blue = (3 * 30 + 7) * 3;
        img[red] = 1f;
        img[blue + 2] = 1f;
        BufferedImage out = ImageGrid.render(img, 1, 1, 40, 30, 3);
        assertEquals(30 + 4, out.getWidth());
        assertEquals(40 + 4, out.getHeight());
        int rgbRed = out.getRGB(2 + 7, 2 + 2) & 0xFFFFFF, rgbBlue = out.getRGB(2 + 7, 2 + 3) & 0xFFFFFF;
        assertEquals(0xFF0000, rgbRed);
        assertEquals(0x0000FF, rgbBlue);
    }

    @Test
    void smallNonSquareGreyTilesAreEnlarged() {
        BufferedImage out = ImageGrid.render(new float[2 * 16 * 8], 2, 2, 16, 8, 1);
        assertEquals((2 * (8 + 2) + 2) * 2, out.getWidth());
        assertEquals((16 + 4) * 2, out.getHeight());
    }

    private static int gray(BufferedImage img, int x, int y) {
        return img.getRaster().getSample(x, y, 0);
    }
}
