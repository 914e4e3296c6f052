package ebm4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ebm4j.UserException;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and damaged checkpoint files, one test per case of issue 14: each is refused with one
 * {@link UserException} that names the problem, before anything of the size the file claims is
 * allocated (no OutOfMemoryError, no arithmetic overflow, no index error later).
 */
class CheckpointValidationTest {
    private static final ParameterLayout LAYOUT = new ParameterLayout(784, 16, 8, 10);
    private static final ModelSpec SPEC = TestSpecs.mlp(LAYOUT.widths());
    private static final TrainConfig CONFIG = ConfigLoader.load(null, Map.of("hidden_dims", "16,8", "epochs", "3",
            "batch_size", "2"));

    @TempDir
    Path dir;
    Path ck;

    private static Checkpoint.TrainState state(int n, int epoch, int batch) {
        float[] m = new float[n], v = new float[n];
        float[] pool = new float[4 * 784];
        pool[3] = 0.5f;
        return new Checkpoint.TrainState(m, v, new int[] {9, 0, epoch * 5 + batch, 0}, epoch, batch, pool);
    }

    @BeforeEach
    void save() throws IOException {
        ck = dir.resolve("ck");
        float[] p = EnergyNet.initialParameters(LAYOUT, 3);
        Checkpoint.save(ck, SPEC, p, CONFIG, state(p.length, 1, 2));
    }

    private Path model() {
        return ck.resolve(Checkpoint.MODEL_FILE);
    }

    private Path state() {
        return ck.resolve(Checkpoint.STATE_FILE);
    }

    private void assertRefused(String... mentions) {
        UserException e = assertThrows(UserException.class, () -> Checkpoint.load(ck));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message should mention '" + m + "': " + e.getMessage());
        }
    }

    @Test
    void theOriginalLoads() {
        Checkpoint.Loaded l = Checkpoint.load(ck);
        assertArrayEquals(EnergyNet.initialParameters(LAYOUT, 3), l.params());
    }

    /** Legacy metadata (widths only) describing a 6 GB model in a 3.7 MB file: refused by its size, unallocated. */
    @Test
    void widthsOfAHugeModelAreRefusedBeforeAllocating() throws IOException {
        for (String widths : new String[] {"784,40000,40000,10", "784,60000,60000,10"}) {
            SafeTensorsFiles f = SafeTensorsFiles.read(model());
            f.metadata().remove("input_shape");
            f.metadata().remove("classes");
            f.metadata().put("widths", widths);
            f.write(model());
            assertRefused("parameters", "at most");
        }
    }

    @Test
    void widthsThatDescribeNoModelAreRefused() throws IOException {
        for (String widths : new String[] {"784", "784,0,10", "784,16,8,1", "-1,16,8,10", "784,,10", "x"}) {
            SafeTensorsFiles f = SafeTensorsFiles.read(model());
            f.metadata().remove("input_shape");
            f.metadata().put("widths", widths);
            f.write(model());
            assertRefused("no valid model shape");
        }
    }

    @Test
    void widthsThatDisagreeWithTheShapeAndConfigAreRefused() throws IOException {
        SafeTensorsFiles f = SafeTensorsFiles.read(model());
        f.metadata().put("widths", "784,40000,40000,10");
        f.write(model());
        assertRefused("disagree");
    }

    @Test
    void impossibleInputShapesAndClassCountsAreRefused() throws IOException {
        String[][] cases = {{"input_shape", "100000x100000"}, {"input_shape", "0x28"}, {"input_shape", "28"},
            {"input_shape", "28x28x2"}, {"input_shape", "axb"}, {"classes", "1"}, {"classes", "-3"},
            {"classes", "2147483647"}, {"classes", "1e9"}};
        for (String[] c : cases) {
            save();
            SafeTensorsFiles f = SafeTensorsFiles.read(model());
            f.metadata().put(c[0], c[1]);
            f.write(model());
            UserException e = assertThrows(UserException.class, () -> Checkpoint.load(ck), c[0] + "=" + c[1]);
            assertTrue(e.getMessage().contains("model shape"), e.getMessage());
        }
    }

    /** hidden_dims changed in the metadata: a consistent config, but the tensors belong to another model. */
    @Test
    void metadataDescribingAnotherModelThanTheTensorsIsRefused() throws IOException {
        SafeTensorsFiles f = SafeTensorsFiles.read(model());
        f.metadata().put("config.hidden_dims", "16,9");
        f.metadata().remove("widths");
        f.write(model());
        assertRefused("another architecture");
    }

    @Test
    void extraTensorsOfImpossibleShapeAreRefusedWithoutOverflow() throws IOException {
        long[][] shapes = {{1L << 40, 1L << 40}, {2147483647L, 2147483649L}, {Long.MAX_VALUE}, {3, -1}};
        for (long[] shape : shapes) {
            save();
            SafeTensorsFiles f = SafeTensorsFiles.read(model());
            ObjectNode t = f.header.putObject("extra");
            t.put("dtype", "F32");
            ArrayNode s = t.putArray("shape");
            for (long d : shape) {
                s.add(d);
            }
            t.putArray("data_offsets").add(f.data.length).add(f.data.length + 16);
            f.write(model());
            assertRefused("corrupt");
        }
    }

    /** A file of gigabytes (sparse: cheap to make) is refused from its header, without reading the data. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void gigabyteFilesAreRefusedWithoutReadingThem() throws IOException {
        for (long size : new long[] {3L << 30, 3L << 29}) {
            save();
            try (RandomAccessFile f = new RandomAccessFile(model().toFile(), "rw")) {
                f.setLength(size);
            }
            long t0 = System.nanoTime();
            assertRefused("bytes appended");
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refusing should not read the file");
        }
        // a header that claims the gigabytes as one more tensor: consistent bytes, but not the model's
        save();
        SafeTensorsFiles f = SafeTensorsFiles.read(model());
        long huge = (3L << 30) / 4;
        ObjectNode t = f.header.putObject("net.9.weight");
        t.put("dtype", "F32");
        t.putArray("shape").add(huge);
        t.putArray("data_offsets").add(f.data.length).add(f.data.length + 4 * huge);
        f.write(model());
        try (RandomAccessFile raf = new RandomAccessFile(model().toFile(), "rw")) {
            raf.setLength(raf.length() + 4 * huge);
        }
        long t0 = System.nanoTime();
        assertRefused("tensors its model does not have", "net.9.weight");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refusing should not read the file");
    }

    @Test
    void headerLengthsThatDoNotFitTheFileAreRefusedWithoutAllocating() throws IOException {
        byte[] bytes = Files.readAllBytes(model());
        for (long len : new long[] {-1, 0, 1, Long.MAX_VALUE, 1L << 31, bytes.length, (100L << 20) + 1}) {
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
            Files.write(model(), bytes);
            assertRefused("header length");
        }
    }

    @Test
    void appendedAndTruncatedBytesAreRefused() throws IOException {
        byte[] bytes = Files.readAllBytes(model());
        Files.write(model(), java.util.Arrays.copyOf(bytes, bytes.length + 8));
        assertRefused("bytes appended");
        Files.write(model(), java.util.Arrays.copyOf(bytes, bytes.length - 4));
        assertRefused("corrupt");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        SafeTensorsFiles f = SafeTensorsFiles.read(model());
        ObjectNode bias = f.tensor("net.0.bias");
        ArrayNode range = (ArrayNode) f.tensor("net.0.weight").get("data_offsets");
        bias.putArray("data_offsets").add(range.get(0).longValue()).add(range.get(0).longValue() + 64);
        f.write(model());
        assertRefused("corrupt");
    }

    @Test
    void metadataThatIsNotTextIsRefused() throws IOException {
        SafeTensorsFiles f = SafeTensorsFiles.read(model());
        f.metadata().putObject("classes").put("a", 1);
        f.write(model());
        assertRefused("not a string");
    }

    @Test
    void nonFiniteWeightsAreRefused() throws IOException {
        SafeTensorsFiles f = SafeTensorsFiles.read(model());
        ByteBuffer.wrap(f.data).order(ByteOrder.LITTLE_ENDIAN).putFloat(40, Float.NaN);
        f.write(model());
        assertRefused("non-finite weights");
    }

    @Test
    void countersOfTheWrongShapeAreRefused() throws IOException {
        SafeTensorsFiles f = SafeTensorsFiles.read(state());
        f.tensor("counters").putArray("shape").add(1).add(4);
        f.write(state());
        assertRefused(Checkpoint.STATE_FILE, "counters");
        save();
        // shape [1] with a matching byte range: the index error
        f = SafeTensorsFiles.read(state());
        ObjectNode c = f.tensor("counters");
        long begin = c.get("data_offsets").get(0).longValue();
        c.putArray("shape").add(1);
        c.putArray("data_offsets").add(begin).add(begin + 4);
        f.write(state());
        assertRefused("corrupt");
    }

    @Test
    void positionsOutsideTheRunAreRefused() throws IOException {
        String[][] cases = {{"epoch", "-3"}, {"epoch", "4"}, {"batch_in_epoch", "-7"}, {"batch_in_epoch", "2000000000"},
            {"epoch", "x"}, {"batch_in_epoch", ""}};
        for (String[] c : cases) {
            save();
            SafeTensorsFiles f = SafeTensorsFiles.read(state());
            f.metadata().put(c[0], c[1]);
            f.write(state());
            UserException e = assertThrows(UserException.class, () -> Checkpoint.load(ck), c[0] + "=" + c[1]);
            assertTrue(e.getMessage().contains("not a valid training state"), e.getMessage());
        }
        save();
        SafeTensorsFiles f = SafeTensorsFiles.read(state());
        f.metadata().put("epoch", "3"); // the end of the run, but half-way through a batch
        f.write(state());
        assertRefused("outside a run of 3 epochs");
    }

    @Test
    void anEmptyOrMisshapenPoolIsRefused() throws IOException {
        long[][] shapes = {{0, 784}, {4, 100}, {3136}, {20000, 784}};
        for (long[] shape : shapes) {
            save();
            SafeTensorsFiles f = SafeTensorsFiles.read(state());
            ObjectNode pool = f.tensor("replay.pool");
            long begin = pool.get("data_offsets").get(0).longValue();
            long elements = 1;
            ArrayNode s = pool.putArray("shape");
            for (long d : shape) {
                s.add(d);
                elements *= d;
            }
            pool.putArray("data_offsets").add(begin).add(begin + 4 * elements);
            byte[] data = java.util.Arrays.copyOf(f.data, (int) (begin + 4 * elements));
            SafeTensorsFiles.write(state(), f.header.toString(), data);
            assertRefused("replay.pool");
        }
    }

    @Test
    void negativeCountersAreRefused() throws IOException {
        SafeTensorsFiles f = SafeTensorsFiles.read(state());
        long begin = f.tensor("counters").get("data_offsets").get(0).longValue();
        ByteBuffer.wrap(f.data).order(ByteOrder.LITTLE_ENDIAN).putInt((int) begin + 8, -5);
        f.write(state());
        assertRefused("negative");
    }

    /** The state file of step 2 beside the model of step 5: nothing in their shapes tells, their ids do. */
    @Test
    void aStateFileOfAnotherCheckpointIsRefused() throws IOException {
        Path other = dir.resolve("other");
        float[] p = EnergyNet.initialParameters(LAYOUT, 4);
        Checkpoint.save(other, SPEC, p, CONFIG, state(p.length, 0, 2));
        Files.copy(other.resolve(Checkpoint.STATE_FILE), state(), StandardCopyOption.REPLACE_EXISTING);
        assertRefused("mixes two checkpoints");
        SafeTensorsFiles f = SafeTensorsFiles.read(state());
        f.metadata().remove("checkpoint_id");
        f.write(state());
        assertRefused("mixes two checkpoints");
    }

    /** Checkpoints written before ids existed have none in either file: they still load, checked otherwise. */
    @Test
    void aCheckpointFromBeforeIdsLoadsButHalfAnIdIsRefused() throws IOException {
        for (Path file : new Path[] {model(), state()}) {
            SafeTensorsFiles f = SafeTensorsFiles.read(file);
            f.metadata().remove("checkpoint_id");
            f.write(file);
        }
        Checkpoint.Loaded legacy = Checkpoint.load(ck);
        assertArrayEquals(EnergyNet.initialParameters(LAYOUT, 3), legacy.params());
        assertEquals(2, legacy.state().batchInEpoch());
        save();
        SafeTensorsFiles f = SafeTensorsFiles.read(model());
        f.metadata().remove("checkpoint_id");
        f.write(model());
        assertRefused("mixes two checkpoints");
    }

    @Test
    void unknownConfigKeysAndBadConfigValuesAreRefused() throws IOException {
        SafeTensorsFiles f = SafeTensorsFiles.read(model());
        f.metadata().put("config.lr", "banana");
        f.write(model());
        assertRefused("lr must be");
        save();
        f = SafeTensorsFiles.read(model());
        f.metadata().put("config.nonsense", "1");
        f.write(model());
        assertRefused("unknown config key");
    }
}
