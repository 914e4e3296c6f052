package ebm4j.data;

import ebm4j.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a data set comes from: the value of the {@code dataset} hyperparameter ({@code mnist},
 * {@code fashion-mnist}, or a folder of IDX files) resolved to a folder, and how to get its
 * files when they are missing. Also names the natural out-of-distribution set of each named set
 * (MNIST and Fashion-MNIST, each for the other), which {@code eval} uses by default.
 *
 * @param name   {@code mnist}, {@code fashion-mnist}, or the folder as given
 * @param dir    the folder holding {@code train-*} and {@code t10k-*} images and labels
 * @param fetch  true when missing files can be fetched ({@code ebm4j data fetch}: MNIST only)
 */
public record DataSource(String name, Path dir, boolean fetch) {
    public static final String MNIST = "mnist", FASHION_MNIST = "fashion-mnist";

    /** Where {@code ebm4j data fetch} puts MNIST unless told otherwise. */
    public static final Path DEFAULT_MNIST_DIR = Path.of("data", "mnist");

    /**
     * @param dataset the hyperparameter's value
     * @param dirOverride {@code --data-dir}: the folder of a named set (null: its usual place)
     */
    public static DataSource of(String dataset, Path dirOverride) {
        String key = dataset.trim().toLowerCase(Locale.ROOT);
        if (key.equals(MNIST)) {
            return new DataSource(MNIST, dirOverride != null ? dirOverride : DEFAULT_MNIST_DIR, true);
        }
        if (key.equals(FASHION_MNIST)) {
            return new DataSource(FASHION_MNIST, dirOverride != null ? dirOverride : FashionMnist.DEFAULT_DIR, false);
        }
        Path dir = Path.of(dataset);
        if (!Files.isDirectory(dir)) {
            throw new UserException("dataset '" + dataset + "' is neither mnist, fashion-mnist nor a folder;"
                    + " give a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte"
                    + " and t10k-labels-idx1-ubyte (raw or .gz)");
        }
        return new DataSource(dataset, dir, false);
    }

    /** The training split; fetches MNIST first when it is missing and {@code allowFetch}. */
    public Dataset train(boolean allowFetch) {
        if (fetch && allowFetch) {
            new MnistFetcher().ensure(dir);
        }
        return load("train");
    }

    /** The test split, checked against the training split's shape and classes. */
    public Dataset test(Dataset train) {
        return load("t10k").matching(train);
    }

    /** The test split on its own (evaluation of a checkpoint, whose class count the caller checks). */
    public Dataset test() {
        return load("t10k");
    }

    private Dataset load(String prefix) {
        Dataset d = Dataset.load(dir, prefix, fix());
        if (!name.equals(MNIST) && !name.equals(FASHION_MNIST)) {
            return d;
        }
        // the named sets are known: 28x28 grey images in 10 classes; anything else is the wrong folder
        if (!d.shape().equals(ImageShape.MNIST) || d.classes() > NAMED_CLASSES) {
            throw new UserException(dir + ": " + prefix + " holds " + d.shape() + " images with labels up to "
                    + (d.classes() - 1) + ", but " + displayName() + " has 28x28 images labelled 0..9; " + fix());
        }
        return Dataset.of(d.name(), d.shape(), NAMED_CLASSES, d.images(), d.labels());
    }

    /** Classes of MNIST and of Fashion-MNIST. */
    private static final int NAMED_CLASSES = 10;

    private String fix() {
        return switch (name) {
            case MNIST -> "run `ebm4j data fetch --data-dir " + dir + "` or copy the MNIST IDX files there";
            case FASHION_MNIST -> "install it with `apt-get install dataset-fashion-mnist` (into "
                    + FashionMnist.DEFAULT_DIR + ") or pass --data-dir naming a folder of its IDX files";
            default -> "the folder needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte"
                    + " and t10k-labels-idx1-ubyte (raw or .gz)";
        };
    }

    /**
     * The out-of-distribution set evaluations use by default: Fashion-MNIST for MNIST and MNIST for
     * Fashion-MNIST; null for other folders (then only uniform noise serves as OOD data).
     */
    public DataSource naturalOod() {
        return switch (name) {
            case MNIST -> new DataSource(FASHION_MNIST, FashionMnist.DEFAULT_DIR, false);
            case FASHION_MNIST -> new DataSource(MNIST, DEFAULT_MNIST_DIR, true);
            default -> null;
        };
    }

    /** A name for people: {@code MNIST}, {@code Fashion-MNIST}, or the folder's name. */
    public String displayName() {
        return switch (name) {
            case MNIST -> "MNIST";
            case FASHION_MNIST -> "Fashion-MNIST";
            default -> String.valueOf(dir.toAbsolutePath().normalize().getFileName());
        };
    }

    /** A short name for result keys: {@code mnist}, {@code fashion} or {@code ood} (another folder). */
    public String key() {
        return switch (name) {
            case MNIST -> "mnist";
            case FASHION_MNIST -> "fashion";
            default -> "ood";
        };
    }

    /** True when the folder holds the test split (so an optional OOD set can be skipped when absent). */
    public boolean present() {
        return Files.isDirectory(dir);
    }
}
