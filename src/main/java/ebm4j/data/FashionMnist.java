package ebm4j.data;

import ebm4j.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fashion-MNIST, the out-of-distribution set for MNIST and a second data set of the same format
 * ({@code --dataset fashion-mnist}, read through {@link DataSource}). Debian's package
 * {@code dataset-fashion-mnist} installs it gzipped in {@link #DEFAULT_DIR}.
 */
public final class FashionMnist {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Class names of labels 0..9. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * SHA-256 of the gzipped files as Debian's {@code dataset-fashion-mnist} installs them. Copied
     * from {@code shared/data/fashion-mnist.sha256}.
     */
    public static final Map<String, String> SHA256_GZ = Sha256.table(
            "train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
            "train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
            "t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
            "t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");

    private FashionMnist() {}

    /**
     * Checks the four gzipped files in {@code dir} against Debian's hashes.
     *
     * @throws UserException listing every missing or different file
     */
    public static void verify(Path dir) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : SHA256_GZ.entrySet()) {
            Path file = dir.resolve(e.getKey());
            if (!Files.isRegularFile(file)) {
                problems.add(file + " is missing");
                continue;
            }
            try {
                String actual = Sha256.ofFile(file);
                if (!actual.equals(e.getValue())) {
                    problems.add(file + " has SHA-256 " + actual + ", expected " + e.getValue());
                }
            } catch (IOException ex) {
                problems.add(file + " cannot be read: " + ex.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new UserException("Fashion-MNIST in " + dir + " does not verify: " + String.join("; ", problems)
                    + "; reinstall with `apt-get install --reinstall dataset-fashion-mnist`");
        }
    }
}
