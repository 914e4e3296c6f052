package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.model.Checkpoint;
import ebm4j.model.ParameterLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollback policy with scripted attempts (the training itself is tested elsewhere). */
class DivergenceRecoveryTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final Trainer.Summary DONE = new Trainer.Summary(List.of(), 7, 0, null, false, null);

    private record Call(float lr, int epochs, Path resume) {}

    private final List<Call> calls = new ArrayList<>();

    /** A good checkpoint whose own config has lr 0.004 and 2 epochs: the rollback keeps neither. */
    private static Path checkpoint(Path dir) throws IOException {
        ParameterLayout layout = ParameterLayout.of(784, List.of(4), 10);
        int n = Math.toIntExact(layout.size());
        TrainConfig saved = ConfigLoader.load(null, Map.of("hidden_dims", "4", "lr", "0.004", "epochs", "2"));
        Path ck = dir.resolve("checkpoints").resolve("step-000000004");
        Checkpoint.save(ck, ebm4j.model.TestSpecs.mlp(layout.widths()), new float[n], saved, new Checkpoint.TrainState(
                new float[n], new float[n], new int[ebm4j.compute.Counters.SIZE], 0, 4, null));
        return ck;
    }

    /** Attempts that diverge {@code failures} times (naming {@code good} as the last good checkpoint), then finish. */
    private DivergenceRecovery.Attempts diverging(int failures, Path good) {
        return (config, resume) -> {
            calls.add(new Call(config.lr(), config.epochs(), resume == null ? null : resume.dir()));
            if (calls.size() <= failures) {
                throw new DivergenceException("training diverged by batch " + (8 * calls.size()), good);
            }
            return DONE;
        };
    }

    private static TrainConfig config() {
        return ConfigLoader.load(null, Map.of("hidden_dims", "4", "lr", "0.001", "epochs", "5"));
    }

    @Test
    void rollbackRetriesFromTheLastGoodCheckpointWithHalfTheRate(@TempDir Path dir) throws IOException {
        Path good = checkpoint(dir);
        Path logFile = dir.resolve("log");
        try (RunLog log = new RunLog(QUIET, logFile)) {
            Trainer.Summary s = new DivergenceRecovery(true, 3, log).run(config(), null, diverging(2, good));
            assertSame(DONE, s);
        }
        assertEquals(List.of(new Call(0.001f, 5, null), new Call(0.0005f, 5, good), new Call(0.00025f, 5, good)), calls);
        String text = Files.readString(logFile);
        assertTrue(text.contains("training diverged by batch 8"), text);
        assertTrue(text.contains("rolling back to " + good + " with lr 0.000500000 (rollback 1 of 3)"), text);
        assertTrue(text.contains("with lr 0.000250000 (rollback 2 of 3)"), text);
    }

    @Test
    void theDivergenceIsRethrownWhenRollbacksAreSpentOffOrImpossible(@TempDir Path dir) throws IOException {
        Path good = checkpoint(dir);
        try (RunLog log = new RunLog(QUIET, null)) {
            DivergenceException spent = assertThrows(DivergenceException.class,
                    () -> new DivergenceRecovery(true, 3, log).run(config(), null, diverging(10, good)));
            assertEquals("training diverged by batch 32", spent.getMessage());
            assertEquals(4, calls.size(), "the first attempt and three rollbacks");
            calls.clear();
            assertThrows(DivergenceException.class,
                    () -> new DivergenceRecovery(false, 3, log).run(config(), null, diverging(1, good)));
            assertEquals(1, calls.size(), "stop: no retry");
            calls.clear();
            assertThrows(DivergenceException.class,
                    () -> new DivergenceRecovery(true, 3, log).run(config(), null, diverging(1, null)));
            assertEquals(1, calls.size(), "no good checkpoint yet: no retry");
            assertNull(calls.get(0).resume());
        }
    }
}
