package ebm4j.api;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.data.Dataset;
import ebm4j.data.ImageShape;
import ebm4j.model.Checkpoint;
import ebm4j.model.EnergyModel;
import ebm4j.model.Models;
import ebm4j.model.Scoring;
import ebm4j.sample.SampleGenerator;
import ebm4j.sample.StartPool;
import ebm4j.sample.SamplerSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A trained ebm4j model, loaded from a checkpoint and ready to use: one network that is both a
 * classifier and an energy-based model of its training images.
 *
 * <ul>
 *   <li>{@link #classProbabilities}: p(y | x), the softmax of the network's scores s(x).</li>
 *   <li>{@link #energies}: the energy E(x), low for images like the training data. Its sign is the
 *       checkpoint's {@code energy_sign}: {@code jem} (the default recipe) gives
 *       E(x) = -LogSumExp_y s_y(x), {@code reference} (the original's) E(x) = +LogSumExp_y s_y(x).</li>
 *   <li>{@link #inDistributionScores}: -E(x), the out-of-distribution score; higher means more like
 *       the training data.</li>
 *   <li>{@link #sample} and {@link #sampleClass}: new images by the checkpoint's sampler (Langevin
 *       dynamics) on E(x), or on E(x, y) = sign * s_y(x) for one class y.</li>
 * </ul>
 *
 * <p><b>Images</b> are {@code float[]} rows of {@link #pixelsPerImage()} values: row-major,
 * channels last, pixels scaled to [-1, 1] (grey value v of 0..255 becomes v / 255 * 2 - 1;
 * {@link #pixelsFromGrey} does that). Every method checks each row's length and range and throws
 * {@link IllegalArgumentException} naming the first bad image and value.
 *
 * <p><b>Threads:</b> an instance is thread-safe: its calls are serialised (each call already uses
 * every CPU core, or the whole GPU). For more throughput from many threads, open one instance per
 * device rather than per thread.
 *
 * <p><b>Resources:</b> the model holds device memory and, on the CPU, worker threads until
 * {@link #close()}; use it in try-with-resources. Calls after {@code close()} throw
 * {@link IllegalStateException}.
 */
public final class TrainedModel implements AutoCloseable {
    /** Images per pass through the network; larger batches are computed in chunks of this size. */
    private static final int ROWS_PER_PASS = 256;
    /** The most images one call to {@link #sample} draws (the command line's limit too). */
    public static final int MAX_SAMPLES = 100_000;

    private final Path checkpoint;
    private final ImageShape shape;
    private final int classes;
    private final float energySign;
    private final SamplerSpec chain;
    /** The persistent-chain pool samples start from, or null (then they start from uniform noise). */
    private final StartPool pool;
    private final Backend backend;
    private final EnergyModel net;
    private boolean closed;

    private TrainedModel(Checkpoint.Loaded ck, Backend backend) {
        this.checkpoint = ck.dir();
        this.shape = ck.spec().input();
        this.classes = ck.spec().classes();
        this.energySign = ck.config().energySign().sign();
        this.pool = StartPool.ofNullable(ck.state() == null ? null : ck.state().replay());
        this.chain = SamplerSpec.forStart(ck.config(), pool == null);
        this.backend = backend;
        EnergyModel model = null;
        try {
            model = Models.create(backend, ck.spec(), ROWS_PER_PASS);
            backend.upload(model.params(), ck.params());
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            backend.close();
            throw e;
        }
        this.net = model;
    }

    /**
     * Loads a checkpoint onto the GPU when one is usable, else the CPU ({@link Device#AUTO}).
     *
     * @param checkpoint a run folder, a checkpoint folder or its {@code model.safetensors}
     * @return the model, which the caller closes
     * @see #load(Path, Device)
     */
    public static TrainedModel load(Path checkpoint) {
        return load(checkpoint, Device.AUTO);
    }

    /**
     * Loads a checkpoint onto a device.
     *
     * @param checkpoint a run folder ({@code runs/<name>}: its newest checkpoint), a checkpoint
     *                   folder ({@code runs/<name>/checkpoints/step-N}) or its {@code model.safetensors}
     * @param device     where to compute
     * @return the model, which the caller closes
     * @throws IllegalArgumentException   when {@code checkpoint} holds no readable ebm4j checkpoint
     *                                    (the message names the file and the problem)
     * @throws DeviceUnavailableException when the device cannot be used (see {@link Device})
     */
    public static TrainedModel load(Path checkpoint, Device device) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(device, "device");
        Checkpoint.Loaded ck;
        try {
            ck = Checkpoint.load(checkpoint);
        } catch (UserException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new TrainedModel(ck, device.open());
    }

    /** @return the checkpoint folder the weights came from (a run folder resolves to its newest checkpoint) */
    public Path checkpoint() {
        return checkpoint;
    }

    /** @return the device this model computes on: {@link Device#CPU} or {@link Device#GPU}, never AUTO */
    public Device device() {
        return Device.of(backend);
    }

    /** @return one line naming the device, e.g. {@code cpu: 8 threads, GEMM OpenBLAS 0.3.31 (Haswell kernels)} */
    public String deviceDescription() {
        return backend.describe();
    }

    /** @return the number of classes (10 for MNIST); class labels are 0 to {@code classes() - 1} */
    public int classes() {
        return classes;
    }

    /** @return the image height in pixels (28 for MNIST) */
    public int imageHeight() {
        return shape.height();
    }

    /** @return the image width in pixels (28 for MNIST) */
    public int imageWidth() {
        return shape.width();
    }

    /** @return values per pixel: 1 for grey images (MNIST), 3 for RGB */
    public int imageChannels() {
        return shape.channels();
    }

    /** @return values per image: height x width x channels (784 for MNIST) */
    public int pixelsPerImage() {
        return shape.pixels();
    }

    /**
     * The class probabilities p(y | x) of each image.
     *
     * @param images rows of {@link #pixelsPerImage()} values in [-1, 1]
     * @return {@code p[i][y]}: the probability that image i is of class y; each row sums to 1
     * @throws IllegalArgumentException when an image has the wrong length or a value outside [-1, 1]
     */
    public synchronized double[][] classProbabilities(float[][] images) {
        float[] scores = scores(images);
        double[][] p = new double[images.length][classes];
        for (int i = 0; i < images.length; i++) {
            double lse = Scoring.logSumExp(scores, i, classes);
            for (int y = 0; y < classes; y++) {
                p[i][y] = Math.exp(scores[i * classes + y] - lse);
            }
        }
        return p;
    }

    /**
     * The energy E(x) of each image: low for images like the training data (see the class comment
     * for its sign convention). {@code ebm4j eval} reports the mean over the test set as
     * {@code test_mean_energy}.
     *
     * @param images rows of {@link #pixelsPerImage()} values in [-1, 1]
     * @return E(x) of each image, in order
     * @throws IllegalArgumentException when an image has the wrong length or a value outside [-1, 1]
     */
    public synchronized double[] energies(float[][] images) {
        return Scoring.energies(scores(images), classes, energySign);
    }

    /**
     * The out-of-distribution score of each image, -E(x): the higher, the more the image looks like
     * the training data. It is the score whose AUROC {@code ebm4j eval} reports as
     * {@code auroc_<set>_energy} (test images against an OOD set: 1 = always ranked above it). It
     * has no fixed scale and is not a probability: calibrate a threshold on images known to be in
     * distribution, e.g. the 5th percentile of the test set's scores accepts 95 % of real images.
     *
     * @param images rows of {@link #pixelsPerImage()} values in [-1, 1]
     * @return -E(x) of each image, in order
     * @throws IllegalArgumentException when an image has the wrong length or a value outside [-1, 1]
     */
    public synchronized double[] inDistributionScores(float[][] images) {
        double[] e = energies(images);
        for (int i = 0; i < e.length; i++) {
            e[i] = -e[i];
        }
        return e;
    }

    /**
     * Draws new images from the model, as {@code ebm4j sample} does: chains of the checkpoint's
     * sampler start from rows of its persistent-chain pool (chosen in proportion to exp(-E/T), T the
     * default {@link StartPool#DEFAULT_TEMPERATURE}) when it has one, else from uniform noise (the
     * chain of {@link SamplerSpec#forStart}: for a model trained with persistent chains, dark noise
     * and a clamp after every step). The result is a pure function of (checkpoint, count, seed) on a
     * given device.
     *
     * @param count images to draw, 1 to {@value #MAX_SAMPLES}
     * @param seed  seeds the starts and the chains' noise
     * @return {@code count} images of {@link #pixelsPerImage()} values in [-1, 1]
     * @throws IllegalArgumentException when {@code count} is out of range
     */
    public synchronized float[][] sample(int count, long seed) {
        checkCount(count);
        return draw(count, null, seed);
    }

    /**
     * Draws new images of one class, on the class energy E(x, y) = sign * s_y(x), as
     * {@code ebm4j sample --class} does.
     *
     * @param label the class, 0 to {@code classes() - 1}
     * @param count images to draw, 1 to {@value #MAX_SAMPLES}
     * @param seed  seeds the starts and the chains' noise
     * @return {@code count} images of {@link #pixelsPerImage()} values in [-1, 1]
     * @throws IllegalArgumentException when {@code label} or {@code count} is out of range
     */
    public synchronized float[][] sampleClass(int label, int count, long seed) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("class " + label + " does not exist: this model has classes 0 to "
                    + (classes - 1));
        }
        checkCount(count);
        int[] wanted = new int[count];
        Arrays.fill(wanted, label);
        return draw(count, wanted, seed);
    }

    /**
     * Grey values (0 to 255, as unsigned bytes) as the pixel values the model takes, in [-1, 1],
     * exactly as the training data were scaled.
     *
     * @param grey one image's grey values, row-major
     * @return a new array of the same length
     */
    public static float[] pixelsFromGrey(byte[] grey) {
        float[] out = new float[grey.length];
        for (int i = 0; i < grey.length; i++) {
            out[i] = Dataset.pixel(grey[i] & 0xff);
        }
        return out;
    }

    /** Frees the device memory and worker threads; further calls throw. Closing twice is harmless. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            net.close();
        } finally {
            backend.close();
        }
    }

    private static void checkCount(int count) {
        if (count < 1 || count > MAX_SAMPLES) {
            throw new IllegalArgumentException("count must be 1 to " + MAX_SAMPLES + ", got " + count);
        }
    }

    private float[][] draw(int count, int[] classesOfRows, long seed) {
        open();
        float[] flat = SampleGenerator.generate(net, chain, seed, count, classesOfRows, pool);
        int n = pixelsPerImage();
        float[][] images = new float[count][];
        for (int i = 0; i < count; i++) {
            images[i] = Arrays.copyOfRange(flat, i * n, (i + 1) * n);
        }
        return images;
    }

    /** The network's scores (rows, classes) of validated images. */
    private float[] scores(float[][] images) {
        open();
        float[] flat = ImageBatch.flatten(images, shape);
        return Scoring.scores(net, flat, images.length);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("this TrainedModel (" + checkpoint + ") is closed");
        }
    }
}
