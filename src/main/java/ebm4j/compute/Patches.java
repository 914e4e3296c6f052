package ebm4j.compute;

/**
 * The geometry of a convolution's patches, for {@link Backend#im2col} and {@link Backend#col2im}:
 * images of height x width pixels with {@code channels} values each (channels last), a
 * kernelH x kernelW window moved by {@code stride}, with {@code pad} pixels of zeros around the image.
 */
public record Patches(int height, int width, int channels, int kernelH, int kernelW, int stride, int pad) {
    public Patches {
        if (height < 1 || width < 1 || channels < 1 || kernelH < 1 || kernelW < 1 || stride < 1 || pad < 0
                || height + 2 * pad < kernelH || width + 2 * pad < kernelW) {
            throw new IllegalArgumentException("bad patch geometry " + this);
        }
    }

    /** Output rows: (height + 2 pad - kernelH) / stride + 1. */
    public int outHeight() {
        return (height + 2 * pad - kernelH) / stride + 1;
    }

    /** Output columns: (width + 2 pad - kernelW) / stride + 1. */
    public int outWidth() {
        return (width + 2 * pad - kernelW) / stride + 1;
    }

    /** Patches per image: outHeight * outWidth. */
    public int positions() {
        return outHeight() * outWidth();
    }

    /** Values per patch: kernelH * kernelW * channels (one row of the patch matrix). */
    public int patchSize() {
        return kernelH * kernelW * channels;
    }

    /** Values per image: height * width * channels. */
    public int pixels() {
        return height * width * channels;
    }
}
