package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Backend;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.model.Checkpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short real trainings on MNIST subsets through the same Trainer the CLI uses. */
class TrainingEndToEndTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    static Trainer.Summary train(Backend backend, TrainConfig config, Dataset train, Dataset test, Path runDir,
                                 int maxBatches, Checkpoint.Loaded resume) throws IOException {
        RunFolder run = new RunFolder(runDir);
        try (RunLog log = new RunLog(QUIET, runDir.resolve(config.logFile()))) {
            return new Trainer(backend, config, train, test,
                    new Trainer.Options(run, maxBatches, 10, 0, 3, resume, Trainer.DEFAULT_ENERGY_BOUND), log).run();
        }
    }

    /**
     * The original recipe with its documented defaults diverges (see the README), so this uses
     * the energy L2 penalty, which keeps the energies bounded: 2 epochs on 3000 images reach about
     * 85 % test accuracy here; chance is 10 %.
     */
    @Test
    void jointTrainingOnASubsetBeatsChanceByAWideMargin(@TempDir Path dir) throws IOException {
        TrainConfig config = ConfigLoader.load("seed", Map.of("epochs", "2", "langevin_steps", "10",
                "energy_l2", "0.1", "figure_every", "1"));
        Trainer.Summary s;
        try (Backend backend = new CpuBackend()) {
            s = train(backend, config, MnistFixture.train(3000), MnistFixture.test(2000), dir, 0, null);
        }
        EpochMetrics last = s.epochs().get(s.epochs().size() - 1);
        assertTrue(last.testAccuracy() > 0.6, "test accuracy " + last.testAccuracy());
        assertTrue(Double.isFinite(last.energyReal()) && Double.isFinite(last.energySample()));
        assertTrue(last.energyReal() < last.energySample(), "real data should get lower energy than samples");

        for (String f : List.of("figures/real_images.png", "figures/generated_epoch_1.png",
                "figures/generated_epoch_2.png", "figures/final_generated_images.png", "figures/loss_curves.png",
                "timing.json", "metrics.jsonl", "ebm_training.log")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        List<String> metrics = java.nio.file.Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(2, metrics.size());
        Checkpoint.Loaded ck = Checkpoint.load(dir);
        assertEquals(2, ck.state().epoch());
        assertEquals(0, ck.state().batchInEpoch());
        String log = Files.readString(dir.resolve("ebm_training.log"));
        assertTrue(log.contains("Epoch 2/2") && log.contains("timing epoch 2"), log);
    }

    /**
     * The recommended defaults as shipped (persistent chains, JEM sign, down-weighted contrastive
     * term, linear lr decay) on 3000 images for 2 epochs: about 90 % test accuracy here. (Real and
     * sample energies are still close this early: the pool's chains need the full data set.)
     */
    @Test
    void theRecommendedDefaultsLearnOnASubset(@TempDir Path dir) throws IOException {
        TrainConfig config = ConfigLoader.load(null, Map.of("epochs", "2", "replay_size", "960"));
        Trainer.Summary s;
        try (Backend backend = new CpuBackend()) {
            s = train(backend, config, MnistFixture.train(3000), MnistFixture.test(2000), dir, 0, null);
        }
        EpochMetrics last = s.epochs().get(s.epochs().size() - 1);
        assertTrue(last.testAccuracy() > 0.8, "test accuracy " + last.testAccuracy());
        assertTrue(Double.isFinite(last.energyReal()) && Double.isFinite(last.energySample()));
        assertEquals(960 * 784, Checkpoint.load(dir).state().replay().length, "the pool is checkpointed");
    }

    /**
     * Resuming from a mid-run checkpoint ends with exactly the weights of an uninterrupted run,
     * with chains from noise, with persistent chains (whose pool is part of the checkpoint) and with
     * short-lived chains beside them (a second pool in the checkpoint, whose slots' ages follow the
     * global step across the epoch boundary).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "replay_size {0}, noise_chains {1}")
    @org.junit.jupiter.params.provider.CsvSource({"0,0", "150,0", "150,20"})
    void resumeIsBitIdenticalOnTheCpu(String replaySize, String noiseChains, @TempDir Path dir) throws IOException {
        TrainConfig config = ConfigLoader.load("seed", Map.of("epochs", "2", "langevin_steps", "3",
                "hidden_dims", "32,32", "batch_size", "50", "energy_l2", "0.1", "data_noise", "0.01",
                "replay_size", replaySize, "noise_chains", noiseChains, "noise_chain_life", "9"));
        Dataset train = MnistFixture.train(530); // 11 batches per epoch, the last one partial
        Dataset test = MnistFixture.test(200);
        try (Backend backend = new CpuBackend()) {
            train(backend, config, train, test, dir.resolve("straight"), 0, null);
            // stop after 14 batches: mid-way through the second epoch
            Trainer.Summary first = train(backend, config, train, test, dir.resolve("split"), 14, null);
            assertTrue(first.stoppedEarly());
            Checkpoint.Loaded mid = Checkpoint.load(first.lastCheckpoint());
            assertEquals(1, mid.state().epoch());
            assertEquals(3, mid.state().batchInEpoch());
            train(backend, config, train, test, dir.resolve("split"), 0, mid);
        }
        Checkpoint.Loaded a = Checkpoint.load(dir.resolve("straight"));
        Checkpoint.Loaded b = Checkpoint.load(dir.resolve("split"));
        assertArrayEquals(a.params(), b.params());
        assertArrayEquals(a.state().adamM(), b.state().adamM());
        assertArrayEquals(a.state().counters(), b.state().counters());
        if (!replaySize.equals("0")) {
            assertArrayEquals(a.state().replay(), b.state().replay());
        }
        if (!noiseChains.equals("0")) {
            assertArrayEquals(a.state().noiseChains(), b.state().noiseChains());
            assertEquals(20 * 3 * 784, a.state().noiseChains().length, "20 chains in 3 slots of a 9-step life");
        }
        assertFalse(java.util.Arrays.equals(a.params(), mid(dir).params()), "resume must have trained further");
    }

    private static Checkpoint.Loaded mid(Path dir) {
        return Checkpoint.load(dir.resolve("split").resolve("checkpoints").resolve("step-000000014"));
    }
}
