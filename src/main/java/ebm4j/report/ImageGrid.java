package ebm4j.report;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tiles 28x28 grayscale images into one PNG, like torchvision's {@code save_image}: values in
 * [-1, 1] map to black..white (clamped), tiles are separated by a gray {@value #PAD}-pixel border,
 * and the whole grid is enlarged {@value #SCALE}x so digits are legible in a browser.
 */
public final class ImageGrid {
    public static final int TILE = 28;
    public static final int PAD = 2;
    public static final int SCALE = 2;
    /** Border gray: between the black background and the white strokes of a digit. */
    private static final int BORDER = 0x80;

    private ImageGrid() {}

    /**
     * Writes the first {@code count} images as a grid {@code columns} wide (narrower when
     * {@code count < columns}).
     *
     * @param images (n, 784) row-major, values in [-1, 1]; NaN is drawn black
     */
    public static void write(Path png, float[] images, int count, int columns) throws IOException {
        Png.write(render(images, count, columns), png);
    }

    /** The grid as an 8-bit gray image. */
    static BufferedImage render(float[] images, int count, int columns) {
        int pixels = TILE * TILE;
        if (count <= 0 || columns <= 0) {
            throw new IllegalArgumentException("count and columns must be > 0, got " + count + " and " + columns);
        }
        if ((long) count * pixels > images.length) {
            throw new IllegalArgumentException(count + " images need " + (long) count * pixels
                    + " floats, got " + images.length);
        }
        int cols = Math.min(columns, count);
        int rows = (count + cols - 1) / cols;
        int w = cols * (TILE + PAD) + PAD;
        int h = rows * (TILE + PAD) + PAD;
        BufferedImage img = new BufferedImage(w * SCALE, h * SCALE, BufferedImage.TYPE_BYTE_GRAY);
        byte[] raster = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        Arrays.fill(raster, (byte) BORDER);
        int stride = w * SCALE;
        for (int k = 0; k < count; k++) {
            int left = PAD + (k % cols) * (TILE + PAD);
            int top = PAD + (k / cols) * (TILE + PAD);
            for (int r = 0; r < TILE; r++) {
                for (int c = 0; c < TILE; c++) {
                    byte v = (byte) gray(images[k * pixels + r * TILE + c]);
                    int y0 = (top + r) * SCALE;
                    int x0 = (left + c) * SCALE;
                    for (int dy = 0; dy < SCALE; dy++) {
                        int row = (y0 + dy) * stride + x0;
                        for (int dx = 0; dx < SCALE; dx++) {
                            raster[row + dx] = v;
                        }
                    }
                }
            }
        }
        return img;
    }

    /** [-1, 1] to 0..255, clamped; NaN to 0. */
    static int gray(float v) {
        if (!(v > -1f)) {
            return 0; // also NaN
        }
        if (v >= 1f) {
            return 255;
        }
        return Math.round((v + 1f) * 127.5f);
    }
}
