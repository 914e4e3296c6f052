package ebm4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.UserException;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    private static final ParameterLayout LAYOUT = new ParameterLayout(784, 16, 8, 10);
    private static final ModelSpec SPEC = TestSpecs.mlp(LAYOUT.widths());
    private static final TrainConfig CONFIG = ConfigLoader.load(null, Map.of("hidden_dims", "16,8"));

    private static Checkpoint.TrainState state(int n) {
        float[] m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = i * 0.5f;
            v[i] = i * 0.25f;
        }
        float[] replay = new float[2 * 784];
        replay[5] = 0.25f;
        return new Checkpoint.TrainState(m, v, new int[] {7, 1, 42, 128}, 3, 17, replay);
    }

    @Test
    void roundTripsWeightsStateAndConfig(@TempDir Path dir) throws IOException {
        float[] p = EnergyNet.initialParameters(LAYOUT, 5);
        Checkpoint.save(dir.resolve("ck"), SPEC, p, CONFIG, state(p.length));
        Checkpoint.Loaded l = Checkpoint.load(dir.resolve("ck"));
        assertArrayEquals(p, l.params());
        assertEquals(SPEC, l.spec());
        assertEquals(CONFIG, l.config());
        assertArrayEquals(state(p.length).adamV(), l.state().adamV());
        assertArrayEquals(new int[] {7, 1, 42, 128}, l.state().counters());
        assertEquals(3, l.state().epoch());
        assertEquals(17, l.state().batchInEpoch());
        assertArrayEquals(state(p.length).replay(), l.state().replay());
        assertNull(l.state().noiseChains());
    }

    /** The short-lived chains of noise_chains travel in the state file beside the pool. */
    @Test
    void roundTripsTheShortLivedChains(@TempDir Path dir) throws IOException {
        TrainConfig config = ConfigLoader.load(null, Map.of("hidden_dims", "16,8", "noise_chains", "10",
                "noise_chain_life", "40"));
        float[] p = EnergyNet.initialParameters(LAYOUT, 5);
        Checkpoint.TrainState base = state(p.length);
        float[] shortLived = new float[20 * 784];
        shortLived[7] = -0.5f;
        Checkpoint.save(dir.resolve("ck"), SPEC, p, config, new Checkpoint.TrainState(base.adamM(), base.adamV(),
                base.counters(), base.epoch(), base.batchInEpoch(), base.replay(), shortLived));
        Checkpoint.Loaded l = Checkpoint.load(dir.resolve("ck"));
        assertArrayEquals(shortLived, l.state().noiseChains());
        assertArrayEquals(base.replay(), l.state().replay());

        // more rows than noise_chains x noise_chain_life / langevin_steps (10 x 2) is a damaged file
        Checkpoint.save(dir.resolve("big"), SPEC, p, config, new Checkpoint.TrainState(base.adamM(), base.adamV(),
                base.counters(), base.epoch(), base.batchInEpoch(), base.replay(), new float[21 * 784]));
        UserException e = assertThrows(UserException.class, () -> Checkpoint.load(dir.resolve("big")));
        assertTrue(e.getMessage().contains("replay.noise_chains"), e.getMessage());
    }

    /** The weights file follows the safetensors layout, so other readers can open it. */
    @Test
    void modelFileIsPlainSafetensorsWithPytorchNamesAndShapes(@TempDir Path dir) throws IOException {
        float[] p = EnergyNet.initialParameters(LAYOUT, 5);
        Checkpoint.save(dir, SPEC, p, CONFIG, null);
        byte[] bytes = Files.readAllBytes(dir.resolve(Checkpoint.MODEL_FILE));
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[16,784]"), header);
        assertTrue(header.contains("\"net.4.bias\""), header);
        assertEquals(8 + headerLen + 4L * p.length, bytes.length);
        assertEquals(0, (8 + headerLen) % 8, "data should start 8-byte aligned");
        // first weight, little-endian, right after the header
        float first = ByteBuffer.wrap(bytes, (int) (8 + headerLen), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(p[0], first);
    }

    @Test
    void truncatedCheckpointIsRejectedAndNamed(@TempDir Path dir) throws IOException {
        float[] p = EnergyNet.initialParameters(LAYOUT, 5);
        Checkpoint.save(dir, SPEC, p, CONFIG, null);
        Path f = dir.resolve(Checkpoint.MODEL_FILE);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 100));
        UserException e = assertThrows(UserException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void aCheckpointMixingTwoArchitecturesIsRejected(@TempDir Path dir) throws IOException {
        float[] p = EnergyNet.initialParameters(LAYOUT, 5);
        Checkpoint.save(dir.resolve("a"), SPEC, p, CONFIG, state(p.length));
        ParameterLayout other = new ParameterLayout(784, 32, 10);
        TrainConfig otherConfig = ConfigLoader.load(null, Map.of("hidden_dims", "32"));
        Checkpoint.save(dir.resolve("b"), TestSpecs.mlp(other.widths()), EnergyNet.initialParameters(other, 5), otherConfig,
                null);
        Files.copy(dir.resolve("b").resolve(Checkpoint.MODEL_FILE), dir.resolve("a").resolve(Checkpoint.MODEL_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // the two files carry different checkpoint ids: the pair is refused before any shape is compared
        UserException e = assertThrows(UserException.class, () -> Checkpoint.load(dir.resolve("a")));
        assertTrue(e.getMessage().contains("mixes two checkpoints"), e.getMessage());
    }

    @Test
    void garbageIsRejected(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve(Checkpoint.MODEL_FILE), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        assertThrows(UserException.class, () -> Checkpoint.load(dir));
        Files.write(dir.resolve(Checkpoint.MODEL_FILE), "{\"not\": \"safetensors\"}".getBytes(StandardCharsets.UTF_8));
        assertThrows(UserException.class, () -> Checkpoint.load(dir));
    }

    @Test
    void missingCheckpointIsAUserException(@TempDir Path dir) {
        UserException e = assertThrows(UserException.class, () -> Checkpoint.load(dir.resolve("nothing")));
        assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
    }

    @Test
    void newestAndPruneKeepTheLatest(@TempDir Path dir) throws IOException, InterruptedException {
        float[] p = EnergyNet.initialParameters(LAYOUT, 5);
        for (int i = 1; i <= 4; i++) {
            Checkpoint.save(dir.resolve(String.format("step-%09d", i)), SPEC, p, CONFIG, state(p.length));
        }
        Checkpoint.prune(dir, 2);
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count());
        }
        Path newest = Checkpoint.newest(dir);
        assertNotNull(newest);
        assertEquals("step-000000004", newest.getFileName().toString());
    }
}
