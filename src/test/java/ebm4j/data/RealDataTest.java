package ebm4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ebm4j.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real data sets where this machine has them (skipped otherwise): MNIST in {@code data/mnist}
 * of the project (or {@code -Debm4j.mnist.dir}), Fashion-MNIST where Debian installs it.
 */
class RealDataTest {
    private static final Path MNIST = Path.of(System.getProperty("ebm4j.mnist.dir", "data/mnist"));

    @Test
    void mnistVerifiesAndLoads() {
        for (String name : MnistFetcher.SHA256.keySet()) {
            assumeTrue(Files.isRegularFile(MNIST.resolve(name)) || Files.isRegularFile(MNIST.resolve(name + ".gz")),
                    "MNIST not in " + MNIST.toAbsolutePath() + " (run `ebm4j data fetch`)");
        }
        assertEquals(0, new MnistFetcher().missing(MNIST).size(), "SHA-256 of the MNIST files");
        Dataset train = Dataset.load(MNIST, "train");
        Dataset test = Dataset.load(MNIST, "t10k");
        assertEquals(60000, train.count());
        assertEquals(10000, test.count());
        assertEquals(5, train.label(0), "the famous first training digit");
        assertEquals(7, test.label(0));
        int[] perClass = new int[10];
        for (int y : train.labels()) {
            perClass[y]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(perClass[c] > 5000, "class " + c + " has " + perClass[c]);
        }
    }

    @Test
    void fashionMnistVerifiesAndLoads() {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist not installed");
        FashionMnist.verify(FashionMnist.DEFAULT_DIR);
        DataSource fashion = DataSource.of("fashion-mnist", null);
        Dataset train = fashion.train(false);
        Dataset test = fashion.test(train);
        assertEquals(60000, train.count());
        assertEquals(10000, test.count());
        assertEquals(ImageShape.MNIST, train.shape());
        assertEquals(10, train.classes());
        assertEquals(9, train.label(0), "the first Fashion-MNIST training image is an ankle boot");
    }

    @Test
    void missingFashionFolderSuggestsTheDebianPackage(@TempDir Path tmp) {
        Path missing = tmp.resolve("fashion");
        UserException e = assertThrows(UserException.class, () -> DataSource.of("fashion-mnist", missing).test());
        IdxReaderTest.assertMentions(e, missing, "apt-get install dataset-fashion-mnist");
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        UserException v = assertThrows(UserException.class, () -> FashionMnist.verify(tmp));
        IdxReaderTest.assertMentions(v, tmp, "t10k-images-idx3-ubyte.gz is missing");
    }
}
