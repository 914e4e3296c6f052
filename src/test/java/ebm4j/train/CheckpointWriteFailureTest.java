package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.TempFiles;
import ebm4j.UserException;
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
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up between two checkpoints: the failing write is a user error naming the
 * checkpoint and the last complete one, its partial files are removed, and the checkpoint
 * written before stays loadable. (UserErrorsBeforeWorkTest fails a real process's writes.)
 */
class CheckpointWriteFailureTest {
    private static Dataset data(int n) {
        SplittableRandom r = new SplittableRandom(5);
        float[] images = new float[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            for (int p = 0; p < 784; p++) {
                images[i * 784 + p] = (float) r.nextDouble(-1, 1);
            }
        }
        return Dataset.mnistShaped("noise", images, labels);
    }

    @Test
    void aFailedCheckpointLeavesTheEarlierOneIntactAndNoPartialFiles(@TempDir Path dir) throws IOException {
        TrainConfig config = ConfigLoader.load("seed", Map.of("epochs", "1", "langevin_steps", "1",
                "hidden_dims", "8", "batch_size", "10", "replay_size", "20"));
        int[] saves = {0};
        Checkpointer.Writer fullDisk = (ckDir, state, cfg, snapshot, params) -> {
            if (++saves[0] == 2) {
                // what a full disk leaves: the state file in place, the model file half-written
                Checkpointer.SAVE.save(ckDir, state, cfg, snapshot, params);
                Files.delete(ckDir.resolve(Checkpoint.MODEL_FILE));
                Files.writeString(ckDir.resolve(".model.safetensors4711.tmp"), "half");
                throw new IOException("No space left on device");
            }
            Checkpointer.SAVE.save(ckDir, state, cfg, snapshot, params);
        };
        RunFolder run = new RunFolder(dir);
        UserException e;
        try (Backend backend = new CpuBackend(1, ebm4j.compute.cpu.GemmChoice.JAVA);
             RunLog log = new RunLog(new PrintStream(OutputStream.nullOutputStream()), null)) {
            Trainer trainer = new Trainer(backend, config, data(60), data(10),
                    new Trainer.Options(run, 0, 1, 2, 5, null, Trainer.DEFAULT_ENERGY_BOUND), log)
                    .checkpointWriter(fullDisk);
            e = assertThrows(UserException.class, trainer::run);
        }
        Path good = dir.resolve("checkpoints").resolve("step-000000002");
        Path failed = dir.resolve("checkpoints").resolve("step-000000004");
        assertEquals("cannot write checkpoint " + failed + ": No space left on device; the last complete checkpoint"
                + " is " + good + ": free space, then continue with --resume " + good, e.getMessage());
        assertFalse(Files.exists(failed), "the incomplete folder is removed");
        assertEquals(2, Checkpoint.load(good).state().batchInEpoch(), "the earlier checkpoint is intact");
        try (Stream<Path> walk = Files.walk(dir)) {
            assertEquals(List.of(), walk.filter(TempFiles::isTemporary).toList());
        }
    }
}
