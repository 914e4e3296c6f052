package ebm4j.data;

import static ebm4j.data.IdxFiles.gzip;
import static ebm4j.data.IdxFiles.images;
import static ebm4j.data.IdxFiles.labels;
import static ebm4j.data.IdxFiles.ubyte;
import static ebm4j.data.IdxFiles.write;
import static ebm4j.data.IdxReaderTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.UserException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    @Test
    void loadsRawFilesAndScalesPixels() {
        write(dir.resolve("train-images-idx3-ubyte"), images(0, 255, 51));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(7, 0, 9));
        Dataset d = Dataset.load(dir, "train");
        assertEquals(3, d.count());
        assertEquals(-1f, d.image(0)[0]);
        assertEquals(1f, d.image(1)[783]);
        assertEquals(51 / 255f * 2f - 1f, d.image(2)[400]);
        assertArrayEquals(new int[] {7, 0, 9}, d.labels());
        assertEquals(9, d.label(2));
        assertEquals(3 * 784, d.images().length);
    }

    @Test
    void loadsGzippedDotVariant() {
        write(dir.resolve("t10k-images.idx3-ubyte.gz"), gzip(images(10, 20)));
        write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(1, 2)));
        Dataset d = Dataset.load(dir, "t10k");
        assertEquals(2, d.count());
        assertEquals(20 / 255f * 2f - 1f, d.image(1)[0]);
    }

    @Test
    void imageReturnsACopyAndSubsetTakesTheFirst() {
        write(dir.resolve("train-images-idx3-ubyte"), images(1, 2, 3, 4));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(1, 2, 3, 4));
        Dataset d = Dataset.load(dir, "train");
        d.image(0)[0] = 42f;
        assertEquals(1 / 255f * 2f - 1f, d.image(0)[0]);
        Dataset s = d.subset(2);
        assertEquals(2, s.count());
        assertArrayEquals(new int[] {1, 2}, s.labels());
        assertArrayEquals(d.image(1), s.image(1));
        assertSame(d, d.subset(10));
        assertThrows(IndexOutOfBoundsException.class, () -> s.image(2));
    }

    @Test
    void rejectsCountMismatch() {
        write(dir.resolve("train-images-idx3-ubyte"), images(0, 0, 0));
        Path lab = write(dir.resolve("train-labels-idx1-ubyte"), labels(1, 2));
        UserException e = assertThrows(UserException.class, () -> Dataset.load(dir, "train"));
        assertMentions(e, lab, "2 labels but");
    }

    @Test
    void mnistRefusesALabelOutsideItsTenClasses() {
        write(dir.resolve("train-images-idx3-ubyte"), images(0, 0));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(3, 10));
        UserException e = assertThrows(UserException.class, () -> DataSource.of("mnist", dir).train(false));
        assertMentions(e, dir, "labels up to 10", "labelled 0..9");
    }

    @Test
    void aFolderOfIdxFilesTakesItsClassesFromTheLabels() {
        write(dir.resolve("train-images-idx3-ubyte"), images(0, 0, 0));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(3, 11, 0));
        Dataset d = DataSource.of(dir.toString(), null).train(false);
        assertEquals(12, d.classes());
        assertEquals(ImageShape.MNIST, d.shape());
    }

    @Test
    void mnistRefusesImagesOfAnotherSize() {
        write(dir.resolve("train-images-idx3-ubyte"), ubyte(2, 27, 28));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(3, 1));
        UserException e = assertThrows(UserException.class, () -> DataSource.of("mnist", dir).train(false));
        assertMentions(e, dir, "27x28", "28x28");
    }

    @Test
    void imageShapesComeFromTheFiles() {
        write(dir.resolve("train-images-idx3-ubyte"), ubyte(2, 27, 28));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(3, 1));
        Dataset d = Dataset.load(dir, "train");
        assertEquals(new ImageShape(27, 28, 1), d.shape());
        assertEquals(27 * 28, d.image(1).length);
        // pixel i of the payload is i * 7 (as an unsigned byte), scaled to [-1, 1]
        assertEquals((27 * 28 + 1) * 7 % 256 / 255f * 2f - 1f, d.image(1)[1]);
    }

    @Test
    void colourImagesAreRank4WithChannelsLast() {
        write(dir.resolve("train-images-idx4-ubyte.gz"), gzip(ubyte(2, 5, 4, 3)));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(0, 1));
        Dataset d = Dataset.load(dir, "train");
        assertEquals(new ImageShape(5, 4, 3), d.shape());
        assertEquals(2, d.classes());
    }

    @Test
    void unsupportedChannelCountsAreRefused() {
        Path img = write(dir.resolve("train-images-idx4-ubyte"), ubyte(1, 5, 4, 2));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(1));
        UserException e = assertThrows(UserException.class, () -> Dataset.load(dir, "train"));
        assertMentions(e, img, "1 or 3 channels");
    }

    @Test
    void aTestSplitMustMatchItsTrainingSplit() {
        Dataset train = Dataset.of("train", new ImageShape(2, 2, 1), 3, new float[8], new int[] {0, 2});
        Dataset wrongShape = Dataset.of("test", new ImageShape(1, 4, 1), 3, new float[4], new int[] {0});
        UserException e = assertThrows(UserException.class, () -> wrongShape.matching(train));
        assertTrue(e.getMessage().contains("1x4") && e.getMessage().contains("2x2"), e.getMessage());
        Dataset moreClasses = Dataset.of("test", new ImageShape(2, 2, 1), 5, new float[4], new int[] {4});
        assertThrows(UserException.class, () -> moreClasses.matching(train));
        Dataset fewer = Dataset.of("test", new ImageShape(2, 2, 1), 2, new float[4], new int[] {1});
        assertEquals(3, fewer.matching(train).classes(), "a test split takes its training split's classes");
    }

    @Test
    void rejectsLabelsWithImageRank() {
        write(dir.resolve("train-images-idx3-ubyte"), images(0));
        Path lab = write(dir.resolve("train-labels-idx1-ubyte"), ubyte(1, 28, 28));
        UserException e = assertThrows(UserException.class, () -> Dataset.load(dir, "train"));
        assertMentions(e, lab, "3 dimensions, expected 1");
    }

    @Test
    void missingFolderSuggestsFetch() {
        Path missing = dir.resolve("no-such-folder");
        UserException e = assertThrows(UserException.class, () -> Dataset.load(missing, "train"));
        assertMentions(e, missing, "ebm4j data fetch --data-dir " + missing);
    }

    @Test
    void missingFileSuggestsFetch() {
        write(dir.resolve("train-images-idx3-ubyte"), images(0));
        UserException e = assertThrows(UserException.class, () -> Dataset.load(dir, "train"));
        assertMentions(e, dir, "train-labels-idx1-ubyte");
        assertTrue(e.getMessage().contains("ebm4j data fetch"), e.getMessage());
    }

    @Test
    void ofValidates() {
        assertThrows(IllegalArgumentException.class, () -> Dataset.mnistShaped("x", new float[783], new int[1]));
        assertThrows(IllegalArgumentException.class, () -> Dataset.mnistShaped("x", new float[784], new int[] {10}));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("x", new ImageShape(2, 2, 1), 1, new float[4], new int[] {0}));
    }
}
