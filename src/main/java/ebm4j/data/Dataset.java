package ebm4j.data;

import ebm4j.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled 28x28 images in memory: pixels scaled to [-1, 1] by {@code x/255*2-1}, one row of
 * {@value #PIXELS} floats per image, and labels in {@code 0..9}.
 *
 * <p>{@link #images()} and {@link #labels()} hand out the backing arrays without copying: the
 * training set is 188 MB of floats and the GPU backend uploads it once. Treat them as read-only.
 */
public final class Dataset {
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int PIXELS = ROWS * COLS;
    public static final int CLASSES = 10;

    /** Byte value to pixel value. A table makes every loader produce bit-identical floats. */
    private static final float[] SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            SCALE[v] = v / 255f * 2f - 1f;
        }
    }

    private final String name;
    private final float[] images;
    private final int[] labels;

    private Dataset(String name, float[] images, int[] labels) {
        this.name = name;
        this.images = images;
        this.labels = labels;
    }

    /**
     * Wraps arrays already in memory (no copy).
     *
     * @param images (n, 784) row-major, values in [-1, 1]
     * @param labels (n) values in 0..9
     * @throws IllegalArgumentException if the lengths disagree or a label is out of range
     */
    public static Dataset of(String name, float[] images, int[] labels) {
        if (images.length != (long) labels.length * PIXELS) {
            throw new IllegalArgumentException("images has " + images.length + " floats, expected "
                    + labels.length + " x " + PIXELS);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= CLASSES) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is outside 0.." + (CLASSES - 1));
            }
        }
        return new Dataset(name, images, labels);
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
     * Loads one split of an MNIST-format data set. Each file may be raw or gzipped and may be
     * named {@code <prefix>-images-idx3-ubyte}, {@code <prefix>-images.idx3-ubyte} (as some mirrors
     * spell it), either with {@code .gz}; likewise the labels with {@code idx1}.
     *
     * @param fix what the user should do when the folder or a file is missing, e.g. a command
     * @throws UserException when the folder or a file is missing, or the files are not n 28x28 images
     *     with n labels in 0..9
     */
    public static Dataset load(Path dir, String prefix, String fix) {
        if (!Files.isDirectory(dir)) {
            throw new UserException("data folder " + dir + " does not exist; " + fix);
        }
        Path imageFile = find(dir, prefix, "images", "idx3-ubyte", fix);
        Path labelFile = find(dir, prefix, "labels", "idx1-ubyte", fix);

        IdxData img = IdxReader.read(imageFile, 3);
        if (img.dims()[1] != ROWS || img.dims()[2] != COLS) {
            throw new UserException(imageFile + ": images are " + img.dims()[1] + "x" + img.dims()[2]
                    + ", expected " + ROWS + "x" + COLS + "; only MNIST-format data is supported");
        }
        IdxData lab = IdxReader.read(labelFile, 1);
        if (img.count() != lab.count()) {
            throw new UserException(labelFile + ": has " + lab.count() + " labels but " + imageFile + " has "
                    + img.count() + " images; the two files belong to different sets, copy a matching pair");
        }

        int n = img.count();
        int[] labels = new int[n];
        byte[] lb = lab.data();
        for (int i = 0; i < n; i++) {
            labels[i] = lb[i] & 0xff;
            if (labels[i] >= CLASSES) {
                throw new UserException(labelFile + ": label " + labels[i] + " at index " + i + " is outside 0.."
                        + (CLASSES - 1) + "; this is not a 10-class label file");
            }
        }
        byte[] px = img.data();
        float[] images = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            images[i] = SCALE[px[i] & 0xff];
        }
        return new Dataset(prefix + " (" + dir + ")", images, labels);
    }

    /** The first existing candidate name, raw spelling before gzipped. */
    private static Path find(Path dir, String prefix, String kind, String suffix, String fix) {
        String dash = prefix + "-" + kind + "-" + suffix;
        String dot = prefix + "-" + kind + "." + suffix;
        for (String candidate : List.of(dash, dash + ".gz", dot, dot + ".gz")) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new UserException(dir + ": no " + dash + " (nor " + dash + ".gz or " + dot + "[.gz]) in this folder; " + fix);
    }

    /** A short description, e.g. {@code train (data/mnist)}. */
    public String name() {
        return name;
    }

    /** Number of images. */
    public int count() {
        return labels.length;
    }

    /** A copy of image {@code i}: {@value #PIXELS} floats in [-1, 1], row-major. */
    public float[] image(int i) {
        float[] out = new float[PIXELS];
        System.arraycopy(images, checkIndex(i) * PIXELS, out, 0, PIXELS);
        return out;
    }

    /** The label of image {@code i}, in 0..9. */
    public int label(int i) {
        return labels[checkIndex(i)];
    }

    /** All images, (count, 784) row-major. The backing array: do not modify. */
    public float[] images() {
        return images;
    }

    /** All labels, (count). The backing array: do not modify. */
    public int[] labels() {
        return labels;
    }

    /**
     * The first {@code n} images (all of them when {@code n >= count()}), for quick runs. Copies,
     * so the full set can be dropped.
     */
    public Dataset subset(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("subset size must be >= 0, got " + n);
        }
        if (n >= count()) {
            return this;
        }
        float[] x = Arrays.copyOf(images, n * PIXELS);
        int[] y = Arrays.copyOf(labels, n);
        return new Dataset(name + " first " + n, x, y);
    }

    /**
     * Gathers rows {@code order[from .. from+n)} into a batch.
     *
     * @param order image indices, e.g. a {@link Shuffle#permutation}
     * @param x out (n, 784), at least {@code n*784} long
     * @param y out (n), at least {@code n} long
     */
    public void gather(int[] order, int from, int n, float[] x, int[] y) {
        for (int r = 0; r < n; r++) {
            int i = order[from + r];
            System.arraycopy(images, checkIndex(i) * PIXELS, x, r * PIXELS, PIXELS);
            y[r] = labels[i];
        }
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= labels.length) {
            throw new IndexOutOfBoundsException("image " + i + " of " + labels.length);
        }
        return i;
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + count() + " images]";
    }
}
