package ebm4j.api;

import ebm4j.data.ImageShape;
import java.util.Objects;

/** Checks a caller's batch of images and lays it out as the network takes it: one flat row-major array. */
final class ImageBatch {
    private ImageBatch() {}

    /**
     * @throws NullPointerException     when the batch or one of its images is null
     * @throws IllegalArgumentException naming the first image of the wrong length or the first value
     *                                  that is not a number in [-1, 1]
     */
    static float[] flatten(float[][] images, ImageShape shape) {
        Objects.requireNonNull(images, "images");
        int n = shape.pixels();
        if ((long) images.length * n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(images.length + " images of " + n + " values are too many for one"
                    + " call; pass them in smaller batches");
        }
        float[] flat = new float[images.length * n];
        for (int i = 0; i < images.length; i++) {
            float[] image = images[i];
            if (image == null) {
                throw new NullPointerException("image " + i + " is null");
            }
            if (image.length != n) {
                throw new IllegalArgumentException("image " + i + " has " + image.length + " values; this model takes "
                        + shape + " images, " + n + " values each (row-major, channels last)");
            }
            for (int j = 0; j < n; j++) {
                float v = image[j];
                if (!(v >= -1f && v <= 1f)) {
                    throw new IllegalArgumentException("image " + i + ", value " + j + " is " + v
                            + ": pixels must be in [-1, 1] (grey value g of 0..255 is g / 255 * 2 - 1;"
                            + " TrainedModel.pixelsFromGrey converts)");
                }
            }
            System.arraycopy(image, 0, flat, i * n, n);
        }
        return flat;
    }
}
