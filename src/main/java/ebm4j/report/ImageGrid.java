package ebm4j.report;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tiles images into one PNG, like torchvision's {@code save_image}: values in [-1, 1] map to
 * 0..255 (clamped), tiles are separated by a gray {@value #PAD}-pixel border, and small images are
 * enlarged so they are legible in a browser. Images are {@code height x width} pixels of 1 (grey)
 * or 3 (RGB) values each, row-major with channels last.
 */
public final class ImageGrid {
    public static final int PAD = 2;
    /** Border gray: between the black background and the white strokes of a digit. */
    private static final int BORDER = 0x80;

    private ImageGrid() {}

    /**
     * Writes the first {@code count} images as a grid {@code columns} wide (narrower when
     * {@code count < columns}).
     *
     * @param images (n, height * width * channels) row-major, values in [-1, 1]; NaN is drawn black
     */
    public static void write(Path png, float[] images, int count, int columns, int height, int width, int channels)
            throws IOException {
        Png.write(render(images, count, columns, height, width, channels), png);
    }

    /** The enlargement: 2x for images up to 32 pixels on a side (MNIST's 28 become 56), else 1x. */
    static int scale(int height, int width) {
        return Math.max(height, width) <= 32 ? 2 : 1;
    }

    /** The grid as an 8-bit grey or 24-bit RGB image. */
    static BufferedImage render(float[] images, int count, int columns, int height, int width, int channels) {
        if (count <= 0 || columns <= 0) {
            throw new IllegalArgumentException("count and columns must be > 0, got " + count + " and " + columns);
        }
        if (height < 1 || width < 1 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("tiles of " + height + "x" + width + "x" + channels
                    + ": need positive sizes and 1 or 3 channels");
        }
        long pixels = (long) height * width * channels;
        if (count * pixels > images.length) {
            throw new IllegalArgumentException(count + " images need " + count * pixels
                    + " floats, got " + images.length);
        }
        int scale = scale(height, width);
        int cols = Math.min(columns, count);
        int rows = (count + cols - 1) / cols;
        int w = cols * (width + PAD) + PAD;
        int h = rows * (height + PAD) + PAD;
        BufferedImage img = new BufferedImage(w * scale, h * scale,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        byte[] raster = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        Arrays.fill(raster, (byte) BORDER);
        int stride = w * scale * channels;
        for (int k = 0; k < count; k++) {
            int left = PAD + (k % cols) * (width + PAD);
            int top = PAD + (k / cols) * (height + PAD);
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    int y0 = (top + r) * scale;
                    int x0 = (left + c) * scale;
                    for (int ch = 0; ch < channels; ch++) {
                        byte v = (byte) gray(images[(int) (k * pixels) + (r * width + c) * channels + ch]);
                        // TYPE_3BYTE_BGR stores blue first: channel ch of RGB goes to byte 2 - ch
                        int slot = channels == 1 ? 0 : 2 - ch;
                        for (int dy = 0; dy < scale; dy++) {
                            int row = (y0 + dy) * stride + x0 * channels;
                            for (int dx = 0; dx < scale; dx++) {
                                raster[row + dx * channels + slot] = v;
                            }
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
