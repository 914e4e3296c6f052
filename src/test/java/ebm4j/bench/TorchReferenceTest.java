package ebm4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ebm4j.UserException;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;

/** How the PyTorch reference is started: the interpreter, the device and the shared settings. */
class TorchReferenceTest {
    private static final TrainConfig SEED = ConfigLoader.load("seed", Map.of("batch_size", "64", "langevin_steps", "50"));

    private static Path script(Path dir) throws IOException {
        return Files.writeString(dir.resolve("torch_ebm.py"), "# stand-in\n");
    }

    @Test
    void passesTheDeviceAndRunsTheGivenInterpreter(@TempDir Path dir) throws Exception {
        FakePython py = FakePython.in(dir, true);
        Path script = script(dir);
        BenchResult r = new TorchReference(script, dir.resolve("mnist"), 4, 25, "cuda", py.interpreter.toString())
                .run(SEED);
        assertEquals(script.toString(), py.arguments().get(0), "the script comes first");
        assertEquals("cuda", py.value("--device"));
        assertEquals("64", py.value("--batch-size"));
        assertEquals("50", py.value("--steps"));
        assertEquals("28", py.value("--max-batches"), "25 timed batches after 3 warm-up ones");
        assertEquals("torch", r.name());
        assertTrue(r.description().startsWith("torch 9.9.9 eager, CUDA, 25 timed batches"), r.description());
        assertEquals(128.0, r.metrics().get("train_images_per_s").median(), 1e-9, "batch 64 / 0.5 s median");
        assertEquals(1000.0, r.metrics().get("inference_energies_per_s").median(), 1e-9);
    }

    @Test
    void boundsTheReferenceDoesNotReportShowAsUnknownNotNaN(@TempDir Path dir) throws Exception {
        FakePython py = FakePython.in(dir, true);
        BenchResult r = new TorchReference(script(dir), dir, 2, 5, "cpu", py.interpreter.toString()).run(SEED);
        String table = BenchResult.table(java.util.List.of(r));
        assertTrue(table.contains("128.0 [?, "), "the slowest batch is not reported:\n" + table);
        assertTrue(!table.contains("NaN"), table);
    }

    @Test
    void aCpuRunNamesItsThreads(@TempDir Path dir) throws Exception {
        FakePython py = FakePython.in(dir, true);
        BenchResult r = new TorchReference(script(dir), dir, 3, 5, "cpu", py.interpreter.toString()).run(SEED);
        assertEquals("cpu", py.value("--device"));
        assertEquals("3", py.value("--threads"));
        assertTrue(r.description().contains("3 threads"), r.description());
    }

    @Test
    void failuresAreOneLineUserErrors(@TempDir Path dir) throws Exception {
        Path script = script(dir);
        UserException bad = assertThrows(UserException.class,
                () -> new TorchReference(script, dir, 1, 1, "gpu", "python3"));
        assertTrue(bad.getMessage().contains("--torch-device must be cpu or cuda"), bad.getMessage());

        UserException missing = assertThrows(UserException.class, () -> new TorchReference(script, dir, 1, 1, "cpu",
                dir.resolve("no-such-python").toString()).run(SEED));
        assertTrue(missing.getMessage().contains("cannot run the Python interpreter"), missing.getMessage());

        FakePython failing = FakePython.in(dir, false);
        UserException failed = assertThrows(UserException.class, () -> new TorchReference(script, dir, 1, 1, "cuda",
                failing.interpreter.toString()).run(SEED));
        assertTrue(failed.getMessage().contains("exit 1") && failed.getMessage().contains("no kernel image"),
                failed.getMessage());
    }
}
