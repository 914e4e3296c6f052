package ebm4j.data;

/**
 * The shape of one image: height x width pixels of {@code channels} values each (1 = grey, 3 =
 * RGB), stored row-major with channels last, as IDX files hold them.
 */
public record ImageShape(int height, int width, int channels) {
    /** MNIST and Fashion-MNIST: 28 x 28 grey. */
    public static final ImageShape MNIST = new ImageShape(28, 28, 1);

    /** The most values per image that data sets and checkpoints may describe. */
    public static final int MAX_PIXELS = 1 << 20;

    public ImageShape {
        if (height < 1 || width < 1 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("image shape " + height + "x" + width + "x" + channels
                    + ": need positive sizes and 1 (grey) or 3 (RGB) channels");
        }
    }

    /** Values per image (the model's input size). */
    public int pixels() {
        return height * width * channels;
    }

    @Override
    public String toString() {
        return height + "x" + width + (channels == 1 ? "" : "x" + channels);
    }
}
