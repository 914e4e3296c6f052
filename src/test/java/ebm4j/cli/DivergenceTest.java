package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.model.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The divergence guard. The reference recipe's energies drift steadily (to about -100 within a
 * few dozen batches), so a tight --energy-bound makes a reproducible "divergence" to test with.
 */
class DivergenceTest {
    private static final Path DATA = Path.of("data/mnist").toAbsolutePath();

    @BeforeAll
    static void needMnist() {
        try {
            new ebm4j.data.MnistFetcher().ensure(DATA);
        } catch (ebm4j.UserException e) {
            org.junit.jupiter.api.Assumptions.abort("MNIST unavailable: " + e.getMessage());
        }
    }

    private static String[] args(Path out, String... extra) {
        // the original recipe: its energies drift without bound, which is what the guard is for
        List<String> a = new ArrayList<>(List.of("train", "--config", "seed", "--device", "cpu",
                "--data-dir", DATA.toString(), "--out", out.toString(), "--name", "run", "--epochs", "2", "--train-subset", "2000",
                "--langevin_steps", "5", "--hidden", "64,64", "--checkpoint-every", "4", "--log-every", "4",
                "--energy-bound", "8"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void stopsNamingTheBatchAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) {
        CliTest.Run r = CliTest.run(args(dir));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("diverged by batch") && r.err().contains("last good checkpoint"), r.err());
        Checkpoint.Loaded ck = Checkpoint.load(dir.resolve("run"));
        for (float p : ck.params()) {
            assertTrue(Float.isFinite(p));
        }
    }

    @Test
    void rollbackHalvesTheLearningRateAtMostThreeTimes(@TempDir Path dir) throws Exception {
        CliTest.Run r = CliTest.run(args(dir, "--on-divergence", "rollback"));
        // the bound is so tight that every retry diverges again: three rollbacks, then exit 2
        assertEquals(2, r.code(), r.err());
        String log = Files.readString(dir.resolve("run").resolve("ebm_training.log"));
        assertEquals(3, log.split("rolling back to", -1).length - 1, log);
        assertTrue(log.contains("with lr 0.000125"), log);
    }
}
