package ebm4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.TinyRun;
import ebm4j.cli.Main;
import ebm4j.compute.Philox;
import ebm4j.compute.cuda.CudaProbe;
import ebm4j.data.Dataset;
import ebm4j.eval.Auroc;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API on a model trained for a few seconds ({@link TinyRun}), on the CPU. */
class TrainedModelTest {
    private static final int TEST_IMAGES = 500;
    private static TrainedModel model;
    private static Dataset test;
    private static float[][] digits;

    @BeforeAll
    static void load() {
        model = TrainedModel.load(TinyRun.folder(), Device.CPU);
        test = Dataset.load(TinyRun.MNIST, "t10k").subset(TEST_IMAGES);
        digits = rows(test.images(), test.count(), test.shape().pixels());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void describesTheModelItLoaded() {
        assertEquals(Device.CPU, model.device());
        assertTrue(model.deviceDescription().startsWith("cpu"), model.deviceDescription());
        assertEquals(10, model.classes());
        assertEquals(28, model.imageHeight());
        assertEquals(28, model.imageWidth());
        assertEquals(1, model.imageChannels());
        assertEquals(784, model.pixelsPerImage());
        assertTrue(model.checkpoint().getFileName().toString().startsWith("step-"), model.checkpoint().toString());
    }

    @Test
    void classProbabilitiesAreDistributionsThatClassifyDigits() {
        double[][] p = model.classProbabilities(digits);
        assertEquals(TEST_IMAGES, p.length);
        int hits = 0;
        for (int i = 0; i < p.length; i++) {
            assertEquals(10, p[i].length);
            double sum = 0;
            int best = 0;
            for (int y = 0; y < 10; y++) {
                assertTrue(p[i][y] >= 0 && p[i][y] <= 1, "p = " + p[i][y]);
                sum += p[i][y];
                best = p[i][y] > p[i][best] ? y : best;
            }
            assertEquals(1.0, sum, 1e-9, "row " + i);
            hits += best == test.labels()[i] ? 1 : 0;
        }
        // 79 batches of a 32-32 network classify about 0.83 of them (chance: 0.1)
        assertTrue(hits > 0.7 * TEST_IMAGES, "accuracy " + hits + "/" + TEST_IMAGES);
    }

    /** The API's energies are the ones `eval` reports: the mean over the test images is test_mean_energy. */
    @Test
    void energiesAgreeWithTheEvaluation(@TempDir Path out) throws Exception {
        StringWriter log = new StringWriter();
        int code = Main.newCommandLine(new PrintWriter(log, true), new PrintWriter(log, true)).execute("eval",
                "--device", "cpu", "-c", TinyRun.folder().toString(), "--data-dir", TinyRun.MNIST.toString(),
                "--limit", Integer.toString(TEST_IMAGES), "--samples", "10", "--steps", "1", "--ood", "none",
                "--out", out.toString());
        assertEquals(0, code, log.toString());
        JsonNode eval = Json.read(Files.readString(out.resolve("eval.json")));
        double[] e = model.energies(digits);
        double mean = Arrays.stream(e).average().orElseThrow();
        assertEquals(eval.get("test_mean_energy").doubleValue(), mean, 1e-6 * Math.max(1, Math.abs(mean)));
        double[] scores = model.inDistributionScores(digits);
        for (int i = 0; i < e.length; i++) {
            assertEquals(-e[i], scores[i], 0.0, "the OOD score is -E(x)");
        }
    }

    @Test
    void inDistributionScoresRankDigitsAboveNoise() {
        float[] noise = new float[TEST_IMAGES * 784];
        Philox.uniforms(11, 0, 0, 0, noise, noise.length, -1f, 1f);
        double auroc = Auroc.of(model.inDistributionScores(digits),
                model.inDistributionScores(rows(noise, TEST_IMAGES, 784)));
        assertTrue(auroc > 0.9, "AUROC of digits against uniform noise " + auroc);
    }

    @Test
    void samplesAreImagesAndRepeatForASeed() {
        float[][] a = model.sample(12, 5);
        assertEquals(12, a.length);
        for (float[] image : a) {
            assertEquals(784, image.length);
            for (float v : image) {
                assertTrue(v >= -1f && v <= 1f, "pixel " + v);
            }
        }
        assertTrue(Arrays.deepEquals(a, model.sample(12, 5)), "same seed, same images");
        assertFalse(Arrays.deepEquals(a, model.sample(12, 6)), "another seed, other images");
    }

    /** Chains on the class energy E(x, y) end where the classifier sees class y. */
    @Test
    void classSamplesAreSeenAsTheirClass() {
        for (int label : new int[] {0, 7}) {
            float[][] images = model.sampleClass(label, 20, 1);
            double[][] p = model.classProbabilities(images);
            int hits = 0;
            for (double[] row : p) {
                int best = 0;
                for (int y = 1; y < row.length; y++) {
                    best = row[y] > row[best] ? y : best;
                }
                hits += best == label ? 1 : 0;
            }
            assertTrue(hits >= 15, hits + "/20 samples of class " + label + " classified as " + label);
        }
    }

    /** Calls from many threads at once give what the same calls give one after another. */
    @Test
    void concurrentCallsGiveTheSequentialResults() throws Exception {
        float[][] batch = Arrays.copyOf(digits, 64);
        double[] energies = model.energies(batch);
        float[][] samples = model.sample(4, 9);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                boolean draw = t % 2 == 0;
                results.add(pool.submit(() -> draw ? Arrays.deepEquals(samples, model.sample(4, 9))
                        : Arrays.equals(energies, model.energies(batch))));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badImagesAreRefusedNamingTheImageAndValue() {
        float[] good = new float[784];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.classProbabilities(new float[][] {good, new float[783]}));
        assertEquals("image 1 has 783 values; this model takes 28x28 images, 784 values each (row-major, channels last)",
                e.getMessage());
        float[] bright = good.clone();
        bright[17] = 255f;
        e = assertThrows(IllegalArgumentException.class, () -> model.energies(new float[][] {bright}));
        assertTrue(e.getMessage().startsWith("image 0, value 17 is 255.0: pixels must be in [-1, 1]"), e.getMessage());
        float[] nan = good.clone();
        nan[3] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> model.inDistributionScores(new float[][] {good, nan}));
        assertTrue(e.getMessage().startsWith("image 1, value 3 is NaN"), e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> model.classProbabilities(new float[][] {good, null}));
        assertEquals("image 1 is null", npe.getMessage());
        assertEquals(0, model.classProbabilities(new float[0][]).length, "an empty batch has empty results");
    }

    @Test
    void badSamplingRequestsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.sampleClass(10, 4, 0));
        assertEquals("class 10 does not exist: this model has classes 0 to 9", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.sample(0, 0));
        assertEquals("count must be 1 to 100000, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.sampleClass(1, TrainedModel.MAX_SAMPLES + 1, 0));
    }

    @Test
    void aMissingCheckpointIsAnIllegalArgument(@TempDir Path empty) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainedModel.load(empty, Device.CPU));
        assertTrue(e.getMessage().startsWith("no checkpoint at " + empty), e.getMessage());
    }

    @Test
    void aClosedModelRefusesWork() {
        TrainedModel m = TrainedModel.load(TinyRun.folder(), Device.CPU);
        m.close();
        m.close(); // twice is harmless
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.sample(1, 0));
        assertTrue(e.getMessage().endsWith("is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> m.energies(new float[1][784]));
    }

    /**
     * Device.GPU without a usable GPU is a DeviceUnavailableException that says what is missing; with
     * one, the GPU's probabilities match the CPU's (float GEMMs summed in another order: 1e-4).
     */
    @Test
    void theGpuIsUsedWhenUsableAndRefusedClearlyWhenNot() {
        String problem = CudaProbe.problem();
        if (problem != null) {
            DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                    () -> TrainedModel.load(TinyRun.folder(), Device.GPU));
            assertEquals("Device.GPU was asked for, but no GPU is usable: " + problem
                    + "; use Device.CPU or Device.AUTO", e.getMessage());
            try (TrainedModel auto = TrainedModel.load(TinyRun.folder())) {
                assertSame(Device.CPU, auto.device(), "AUTO falls back to the CPU");
            }
            return;
        }
        try (TrainedModel gpu = TrainedModel.load(TinyRun.folder(), Device.GPU)) {
            assertSame(Device.GPU, gpu.device());
            double[][] onGpu = gpu.classProbabilities(digits);
            double[][] onCpu = model.classProbabilities(digits);
            for (int i = 0; i < onCpu.length; i++) {
                assertArrayEquals(onCpu[i], onGpu[i], 1e-4, "image " + i);
            }
            float[][] samples = gpu.sampleClass(3, 8, 2);
            assertEquals(8, samples.length);
        }
    }

    /** A JVM started without the Vector API module is told the flag it needs, not a NoClassDefFoundError. */
    @Test
    void aJvmWithoutTheVectorApiIsToldWhichFlagItNeeds(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LoadOnTheCpu.class.getName(), TinyRun.folder().toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the JVM did not finish in 120 s: " + Files.readString(out));
        }
        assertEquals("DeviceUnavailableException: the CPU backend needs the Vector API: start the JVM with"
                + " --add-modules jdk.incubator.vector\n", Files.readString(out));
    }

    /** Loads a checkpoint on the CPU and prints what was thrown (run in a JVM without the Vector API). */
    public static final class LoadOnTheCpu {
        public static void main(String[] args) {
            try (TrainedModel m = TrainedModel.load(Path.of(args[0]), Device.CPU)) {
                System.out.println("loaded on " + m.deviceDescription());
            } catch (DeviceUnavailableException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    @Test
    void greyBytesBecomeTheTrainingScale() {
        byte[] grey = new byte[256];
        for (int v = 0; v < 256; v++) {
            grey[v] = (byte) v;
        }
        float[] pixels = TrainedModel.pixelsFromGrey(grey);
        assertEquals(-1f, pixels[0]);
        assertEquals(1f, pixels[255]);
        for (int v = 0; v < 256; v++) {
            assertEquals(v / 255.0 * 2 - 1, pixels[v], 1e-6, "grey " + v);
        }
    }

    static float[][] rows(float[] flat, int count, int pixels) {
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = Arrays.copyOfRange(flat, i * pixels, (i + 1) * pixels);
        }
        return out;
    }
}
