package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.data.FashionMnist;
import ebm4j.model.Checkpoint;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data sets other than MNIST train, sample and evaluate end to end, with shapes and classes read
 * from their files: Fashion-MNIST (whose OOD set is then MNIST), and a folder of 8x6 RGB images in
 * three classes written by the test.
 */
class OtherDatasetsTest {
    private static final Path MNIST = Path.of("data/mnist").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void fashionMnistTrainsSamplesAndEvaluatesWithMnistAsItsOodSet() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist not installed");
        CliTest.Run t = CliTest.run("train", "--dataset", "fashion-mnist", "--device", "cpu", "--out", dir.toString(),
                "--name", "fashion", "--epochs", "1", "--train-subset", "512", "--hidden", "32", "--langevin-steps", "3",
                "--replay-size", "256");
        assertEquals(0, t.code(), t.err());
        Checkpoint.Loaded ck = Checkpoint.load(dir.resolve("fashion"));
        assertEquals("fashion-mnist", ck.config().dataset());
        assertEquals(10, ck.spec().classes());

        Path png = dir.resolve("boots.png");
        CliTest.Run s = CliTest.run("sample", "--device", "cpu", "-c", dir.resolve("fashion").toString(), "-n", "4",
                "--class", "9", "--steps", "2", "-o", png.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(Files.size(png) > 0);

        Assumptions.assumeTrue(Files.isDirectory(MNIST), "MNIST not fetched");
        CliTest.Run e = CliTest.run("eval", "--device", "cpu", "-c", dir.resolve("fashion").toString(), "--limit", "300",
                "--samples", "20", "--steps", "2", "--out", dir.resolve("fashion/eval").toString());
        assertEquals(0, e.code(), e.err());
        JsonNode m = Json.read(Files.readString(dir.resolve("fashion/eval/eval.json")));
        assertEquals(300, m.get("test_images").asInt());
        double auroc = m.get("auroc_mnist_energy").asDouble();
        assertTrue(auroc >= 0 && auroc <= 1, "AUROC against MNIST " + auroc);
    }

    @Test
    void aFolderOfColourImagesInThreeClassesRunsEndToEnd() throws IOException {
        Path data = dir.resolve("blobs");
        writeSplit(data, "train", 96, 1);
        writeSplit(data, "t10k", 30, 2);
        CliTest.Run t = CliTest.run("train", "--dataset", data.toString(), "--device", "cpu", "--out", dir.toString(),
                "--name", "rgb", "--epochs", "2", "--batch-size", "16", "--hidden", "16", "--langevin-steps", "3",
                "--replay-size", "32");
        assertEquals(0, t.code(), t.err());
        String log = Files.readString(dir.resolve("rgb/ebm_training.log"));
        assertTrue(log.contains("96 training images of 8x6x3, 3 classes"), log);
        Checkpoint.Loaded ck = Checkpoint.load(dir.resolve("rgb"));
        assertEquals(3, ck.spec().classes());
        assertEquals(8 * 6 * 3, ck.spec().inputs());
        // the training figures are colour grids of 8x6 tiles, enlarged 2x
        BufferedImage real = ImageIO.read(dir.resolve("rgb/figures/real_images.png").toFile());
        assertEquals(3, real.getColorModel().getNumComponents());

        Path png = dir.resolve("rgb.png");
        CliTest.Run s = CliTest.run("sample", "--device", "cpu", "-c", dir.resolve("rgb").toString(), "-n", "6",
                "--class", "2", "--steps", "2", "-o", png.toString());
        assertEquals(0, s.code(), s.err());
        CliTest.Run bad = CliTest.run("sample", "--device", "cpu", "-c", dir.resolve("rgb").toString(), "--class", "3",
                "-o", png.toString());
        CliTest.assertUsageError(bad, "--class must be in 0..2");

        CliTest.Run e = CliTest.run("eval", "--device", "cpu", "-c", dir.resolve("rgb").toString(), "--samples", "12",
                "--steps", "2", "--out", dir.resolve("rgb/eval").toString());
        assertEquals(0, e.code(), e.err());
        JsonNode m = Json.read(Files.readString(dir.resolve("rgb/eval/eval.json")));
        assertTrue(m.has("auroc_uniform_energy") && !m.has("auroc_mnist_energy"), m.toString());
        BufferedImage grid = ImageIO.read(dir.resolve("rgb/eval/conditional_samples.png").toFile());
        assertEquals((3 * (6 + 2) + 2) * 2, grid.getWidth(), "one column per class");

        CliTest.Run wrong = CliTest.run("eval", "--device", "cpu", "-c", dir.resolve("rgb").toString(), "--dataset",
                "mnist", "--data-dir", MNIST.toString());
        Assumptions.assumeTrue(Files.isDirectory(MNIST), "MNIST not fetched");
        CliTest.assertUsageError(wrong, "the model takes 8x6x3 images");
    }

    /** n images of 8x6x3: class k is bright in channel k, plus noise. */
    private static void writeSplit(Path dir, String prefix, int n, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer images = ByteBuffer.allocate(4 + 16 + n * 8 * 6 * 3);
        images.putInt(0x00000804).putInt(n).putInt(8).putInt(6).putInt(3);
        ByteBuffer labels = ByteBuffer.allocate(4 + 4 + n);
        labels.putInt(0x00000801).putInt(n);
        for (int k = 0; k < n; k++) {
            int label = k % 3;
            labels.put((byte) label);
            for (int p = 0; p < 8 * 6; p++) {
                for (int c = 0; c < 3; c++) {
                    images.put((byte) ((c == label ? 200 : 30) + r.nextInt(40)));
                }
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx4-ubyte"), images.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }
}
