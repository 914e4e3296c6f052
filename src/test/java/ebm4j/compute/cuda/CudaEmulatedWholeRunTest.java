package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import ebm4j.compute.Backend;
import ebm4j.compute.Parity;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.model.Checkpoint;
import ebm4j.train.DivergenceRecovery;
import ebm4j.train.RunFolder;
import ebm4j.train.RunLog;
import ebm4j.train.Trainer;

/**
 * A whole training run, as the CLI does it, on the emulated CUDA backend against the CPU backend:
 * three epochs with the persistent pool (so the pool's index buffers are reallocated at each
 * epoch boundary), a stop part-way (--max-batches) and a resume from that checkpoint by a NEW
 * Trainer on the SAME backend, and a divergence that {@link DivergenceRecovery} rolls back to the
 * last good checkpoint with half the learning rate, again a new Trainer on the same backend. All
 * of this is what a graph cached by key alone would get wrong (freed buffers, the old rate).
 *
 * <p>The divergence is real: the original recipe's energies drift without bound, roughly in
 * proportion to lr times batches (faster as they grow), so an energy bound ({@link #BOUND}) that
 * the full rate crosses in the third epoch and the halved rate does not reach by the end makes
 * exactly one rollback.
 *
 * <p>The CPU side is {@link CpuBackend} with the Java GEMM on one thread, which sums each product
 * in k order as the emulator's unsplit GEMM kernel does (one pretend SM), so the two runs must end
 * bit for bit equal: weights, Adam moments, counters and pool of the final checkpoint.
 */
class CudaEmulatedWholeRunTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int TRAIN = 48;
    private static final int TEST = 16;
    private static final String LR = "0.02";
    /**
     * Mean energies beyond this count as divergence. Measured on the CPU side (2026-12-01): at the
     * full rate the third epoch crosses it at batch 17 (E_real -26.3); rolled back to the end of the
     * second epoch (batch 12), the halved rate ends at a mean E_real of -11.3 for the epoch. Every
     * bound from 16 to 28 gives exactly one rollback; 12 and 14 give two, 30 none.
     */
    static final double BOUND = 20;
    /** Checkpoints at epoch ends only (and at the stop), so the rollback goes back a whole epoch. */
    private static final int CHECKPOINT_EVERY = 0;

    private static TrainConfig config() {
        return ConfigLoader.load("seed", Map.ofEntries(Map.entry("epochs", "3"), Map.entry("batch_size", "8"),
                Map.entry("hidden_dims", "16,16"), Map.entry("langevin_steps", "3"), Map.entry("lr", LR),
                Map.entry("replay_size", "16"), Map.entry("replay_reinit", "0.25"), Map.entry("data_noise", "0.01"),
                Map.entry("figure_every", "1")));
    }

    /** Ten classes of blobs: a fixed random pattern per class plus noise, pixels in [-1, 1]. */
    private static final int PIXELS = ebm4j.data.ImageShape.MNIST.pixels();

    private static Dataset data(String name, int n, long seed) {
        SplittableRandom proto = new SplittableRandom(42);
        float[][] patterns = new float[10][PIXELS];
        for (float[] p : patterns) {
            for (int i = 0; i < p.length; i++) p[i] = proto.nextDouble() < 0.3 ? 0.8f : -0.8f;
        }
        SplittableRandom r = new SplittableRandom(seed);
        float[] images = new float[n * PIXELS];
        int[] labels = new int[n];
        for (int k = 0; k < n; k++) {
            labels[k] = k % 10;
            for (int i = 0; i < PIXELS; i++) {
                double v = patterns[labels[k]][i] + 0.3 * (2 * r.nextDouble() - 1);
                images[k * PIXELS + i] = (float) Math.max(-1, Math.min(1, v));
            }
        }
        return Dataset.mnistShaped(name, images, labels);
    }

    /** What a run ends with. */
    record Outcome(Checkpoint.Loaded last, String log, int rollbacks) {}

    /**
     * Stops after 4 batches (of 6 per epoch), then resumes with a new Trainer
     * on the same backend under {@link DivergenceRecovery} (rollback on) and trains to the end.
     */
    static Outcome run(Backend backend, Path dir, double bound) throws IOException {
        TrainConfig config = config();
        Dataset train = data("train", TRAIN, 1), test = data("test", TEST, 2);
        RunFolder folder = new RunFolder(dir);
        Path logFile = dir.resolve(config.logFile());
        try (RunLog log = new RunLog(QUIET, logFile)) {
            int stopAt = 4;
            Trainer.Summary first = new Trainer(backend, config, train, test,
                    new Trainer.Options(folder, stopAt, 1, CHECKPOINT_EVERY, 20, null, bound), log).run();
            assertTrue(first.stoppedEarly() && first.batches() == stopAt, "stopped part-way: " + first.batches());
            Checkpoint.Loaded resume = Checkpoint.load(dir);
            assertEquals(stopAt, resume.state().batchInEpoch(), "resumes mid-epoch");
            new DivergenceRecovery(true, DivergenceRecovery.MAX_ROLLBACKS, log).run(config, resume,
                    (c, from) -> new Trainer(backend, c, train, test,
                            new Trainer.Options(folder, 0, 1, CHECKPOINT_EVERY, 20, from, bound), log).run());
        }
        String log = Files.readString(logFile);
        return new Outcome(Checkpoint.load(dir), log, log.split("rolling back to", -1).length - 1);
    }

    private static void assertSameEnd(Outcome cpu, Outcome gpu) {
        Checkpoint.TrainState c = cpu.last().state(), g = gpu.last().state();
        assertEquals(Arrays.asList(c.epoch(), c.batchInEpoch()), Arrays.asList(g.epoch(), g.batchInEpoch()), "position");
        Parity.assertBitEqual("weights", cpu.last().params(), gpu.last().params());
        Parity.assertBitEqual("adam m", c.adamM(), g.adamM());
        Parity.assertBitEqual("adam v", c.adamV(), g.adamV());
        Parity.assertBitEqual("pool", c.replay(), g.replay());
        assertEquals(Arrays.toString(c.counters()), Arrays.toString(g.counters()), "counters");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void stopResumeRollbackAndEpochsMatchTheCpuBitForBit(@TempDir Path dir) throws IOException {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        Outcome cpu, gpu;
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA)) {
            cpu = run(b, dir.resolve("cpu"), BOUND);
        }
        long captures;
        try (CudaBackend b = new CudaBackend(new EmulatedDevice(1))) {
            gpu = run(b, dir.resolve("cuda"), BOUND);
            captures = b.graphs().captures();
        }
        // 4 + 13 + 6 = 23 steps: one capture per Trainer (each has its own buffers and timer), plus
        // one per epoch start inside a Trainer where the pool's reallocated indexes moved (two, in
        // the first resumed Trainer); every other step replays
        assertTrue(captures >= 3 && captures <= 5, "step graphs captured: " + captures);
        float halved = Float.parseFloat(LR) / 2;
        for (Outcome o : new Outcome[] {cpu, gpu}) {
            assertEquals(1, o.rollbacks(), "exactly one rollback:\n" + o.log());
            assertTrue(o.log().contains(String.format(java.util.Locale.ROOT, "with lr %g (rollback 1 of 3)", halved)), o.log());
            assertEquals(config().epochs(), o.last().state().epoch(), "ran to the end:\n" + o.log());
            assertEquals(halved, o.last().config().lr(), "the last checkpoint was trained at the halved rate");
        }
        assertSameEnd(cpu, gpu);

        // the halved rate changed the run: resuming is exact, so the same run without a bound (no
        // rollback, the full rate throughout) would otherwise end with the same weights
        Outcome straight;
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA)) {
            straight = run(b, dir.resolve("cpu-no-bound"), Double.MAX_VALUE);
        }
        assertEquals(0, straight.rollbacks());
        assertFalse(Arrays.equals(straight.last().params(), cpu.last().params()),
                "the halved rate after the rollback makes different weights");
    }
}
