package ebm4j.data;

import ebm4j.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled images in memory, with their shape and class count: pixels scaled to [-1, 1] by
 * {@code x/255*2-1}, one row of {@code shape().pixels()} floats per image (row-major, channels
 * last), and labels in {@code 0 .. classes()-1}. Shapes and classes come from the files (or the
 * caller), never from constants, so any IDX data set of labelled images trains.
 *
 * <p>{@link #images()} and {@link #labels()} hand out the backing arrays without copying: the
 * MNIST training set is 188 MB of floats and the GPU backend uploads it once. Treat them as read-only.
 */
public final class Dataset {
    /** Byte value to pixel value. A table makes every loader produce bit-identical floats. */
    private static final float[] SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            SCALE[v] = v / 255f * 2f - 1f;
        }
    }

    /** The pixel value of grey value {@code grey} (0 to 255): {@code grey/255*2-1}, as every loader scales it. */
    public static float pixel(int grey) {
        return SCALE[grey];
    }

    private final String name;
    private final ImageShape shape;
    private final int classes;
    private final float[] images;
    private final int[] labels;

    private Dataset(String name, ImageShape shape, int classes, float[] images, int[] labels) {
        this.name = name;
        this.shape = shape;
        this.classes = classes;
        this.images = images;
        this.labels = labels;
    }

    /**
     * Wraps arrays already in memory (no copy).
     *
     * @param images (n, shape.pixels()) row-major, values in [-1, 1]
     * @param labels (n) values in 0..classes-1
     * @throws IllegalArgumentException if the lengths disagree or a label is out of range
     */
    public static Dataset of(String name, ImageShape shape, int classes, float[] images, int[] labels) {
        if (classes < 2) {
            throw new IllegalArgumentException("a labelled data set needs at least 2 classes, got " + classes);
        }
        if (images.length != (long) labels.length * shape.pixels()) {
            throw new IllegalArgumentException("images has " + images.length + " floats, expected "
                    + labels.length + " x " + shape.pixels());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is outside 0.." + (classes - 1));
            }
        }
        return new Dataset(name, shape, classes, images, labels);
    }

    /** MNIST-shaped data (28 x 28 grey, 10 classes), as tests and benchmarks build it. */
    public static Dataset mnistShaped(String name, float[] images, int[] labels) {
        return of(name, ImageShape.MNIST, 10, images, labels);
    }

    /**
     * Loads {@code <prefix>-images-idx3-ubyte} and {@code <prefix>-labels-idx1-ubyte} from
     * {@code dir}; see {@link #load(Path, String, String)}. Missing files are reported with the
     * advice to run {@code ebm4j data fetch}.
     *
     * @param prefix {@code "train"} or {@code "t10k"}
     */
    public static Dataset load(Path dir, String prefix) {
        return load(dir, prefix, "run `ebm4j data fetch --data-dir " + dir + "` or copy the MNIST IDX files there");
    }

    /**
     * Loads one split of an IDX data set: images of rank 3 {@code (n, height, width)} or rank 4
     * {@code (n, height, width, channels)} with 1 or 3 channels, and n labels. The class count is
     * the largest label + 1. Each file may be raw or gzipped and may be named
     * {@code <prefix>-images-idx3-ubyte}, {@code <prefix>-images.idx3-ubyte} (as some mirrors spell
     * it), either with {@code .gz} (idx4 likewise); the labels {@code <prefix>-labels-idx1-ubyte}.
     *
     * @param fix what the user should do when the folder or a file is missing, e.g. a command
     * @throws UserException when the folder or a file is missing, or the files are not n images
     *     with n labels
     */
    public static Dataset load(Path dir, String prefix, String fix) {
        if (!Files.isDirectory(dir)) {
            throw new UserException("data folder " + dir + " does not exist; " + fix);
        }
        Path imageFile = find(dir, prefix, "images", List.of("idx3-ubyte", "idx4-ubyte"), fix);
        Path labelFile = find(dir, prefix, "labels", List.of("idx1-ubyte"), fix);

        IdxData img = IdxReader.read(imageFile);
        ImageShape shape = shapeOf(imageFile, img);
        IdxData lab = IdxReader.read(labelFile, 1);
        if (img.count() != lab.count()) {
            throw new UserException(labelFile + ": has " + lab.count() + " labels but " + imageFile + " has "
                    + img.count() + " images; the two files belong to different sets, copy a matching pair");
        }
        int n = img.count();
        int[] labels = new int[n];
        byte[] lb = lab.data();
        int classes = 0;
        for (int i = 0; i < n; i++) {
            labels[i] = lb[i] & 0xff;
            classes = Math.max(classes, labels[i] + 1);
        }
        if (n > 0 && classes < 2) {
            throw new UserException(labelFile + ": every label is 0; a classifier needs at least two classes");
        }
        byte[] px = img.data();
        float[] images = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            images[i] = SCALE[px[i] & 0xff];
        }
        return new Dataset(prefix + " (" + dir + ")", shape, Math.max(classes, 2), images, labels);
    }

    private static ImageShape shapeOf(Path file, IdxData img) {
        int[] d = img.dims();
        if (d.length != 3 && d.length != 4) {
            throw new UserException(file + ": images have " + d.length + " dimensions; expected 3 (n, height,"
                    + " width) or 4 (n, height, width, channels)");
        }
        int channels = d.length == 4 ? d[3] : 1;
        if (d[1] < 1 || d[2] < 1 || (channels != 1 && channels != 3)
                || (long) d[1] * d[2] * channels > ImageShape.MAX_PIXELS) {
            throw new UserException(file + ": images of shape " + img.shape() + " are not supported; images need"
                    + " 1 or 3 channels and at most " + ImageShape.MAX_PIXELS + " values each");
        }
        return new ImageShape(d[1], d[2], channels);
    }

    /** The first existing candidate name, raw spelling before gzipped. */
    private static Path find(Path dir, String prefix, String kind, List<String> suffixes, String fix) {
        for (String suffix : suffixes) {
            String dash = prefix + "-" + kind + "-" + suffix;
            String dot = prefix + "-" + kind + "." + suffix;
            for (String candidate : List.of(dash, dash + ".gz", dot, dot + ".gz")) {
                Path p = dir.resolve(candidate);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        String dash = prefix + "-" + kind + "-" + suffixes.get(0);
        String dot = prefix + "-" + kind + "." + suffixes.get(0);
        throw new UserException(dir + ": no " + dash + " (nor " + dash + ".gz or " + dot + "[.gz]) in this folder; " + fix);
    }

    /**
     * This split checked against the training split it is used with: the same image shape, and
     * labels within the training split's classes.
     *
     * @throws UserException naming both when they differ
     */
    public Dataset matching(Dataset train) {
        if (!shape.equals(train.shape)) {
            throw new UserException(name + " has " + shape + " images but " + train.name + " has " + train.shape);
        }
        for (int label : labels) {
            if (label >= train.classes) {
                throw new UserException(name + " has label " + label + ", but " + train.name + " has only "
                        + train.classes + " classes");
            }
        }
        return classes == train.classes ? this : new Dataset(name, shape, train.classes, images, labels);
    }

    /** A short description, e.g. {@code train (data/mnist)}. */
    public String name() {
        return name;
    }

    public ImageShape shape() {
        return shape;
    }

    /** Values per image: {@code shape().pixels()}. */
    public int pixels() {
        return shape.pixels();
    }

    /** Number of classes; labels are in {@code 0 .. classes()-1}. */
    public int classes() {
        return classes;
    }

    /** Number of images. */
    public int count() {
        return labels.length;
    }

    /** A copy of image {@code i}: {@link #pixels()} floats in [-1, 1], row-major. */
    public float[] image(int i) {
        int p = pixels();
        float[] out = new float[p];
        System.arraycopy(images, checkIndex(i) * p, out, 0, p);
        return out;
    }

    /** The label of image {@code i}. */
    public int label(int i) {
        return labels[checkIndex(i)];
    }

    /** All images, (count, pixels) row-major. The backing array: do not modify. */
    public float[] images() {
        return images;
    }

    /** All labels, (count). The backing array: do not modify. */
    public int[] labels() {
        return labels;
    }

    /**
     * The first {@code n} images (all of them when {@code n >= count()}), for quick runs. Copies,
     * so the full set can be dropped. The class count stays the full set's.
     */
    public Dataset subset(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("subset size must be >= 0, got " + n);
        }
        if (n >= count()) {
            return this;
        }
        float[] x = Arrays.copyOf(images, n * pixels());
        int[] y = Arrays.copyOf(labels, n);
        return new Dataset(name + " first " + n, shape, classes, x, y);
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= labels.length) {
            throw new IndexOutOfBoundsException("image " + i + " of " + labels.length);
        }
        return i;
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + count() + " images of " + shape + ", " + classes + " classes]";
    }
}
