package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ebm4j.bench.FakePython;

/** {@code ebm4j bench} with the PyTorch reference: its device, its interpreter, the JSON file, its failures. */
class BenchCommandTest {
    /**
     * A tiny CPU benchmark (noise instead of MNIST), the reference run by {@code py}. bench prints
     * its table on System.out, which is captured into the run's out.
     */
    private static CliTest.Run bench(Path dir, FakePython py, String... extra) throws Exception {
        Path script = Files.writeString(dir.resolve("torch_ebm.py"), "# stand-in\n");
        String[] base = {"bench", "--device", "cpu", "--threads", "1", "--iters", "1", "--warmup", "0",
            "--batch-size", "4", "--langevin-steps", "1", "--hidden", "8,8,8", "--data-dir", dir.resolve("none").toString(),
            "--torch", script.toString(), "--torch-python", py.interpreter.toString(), "--torch-batches", "1"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        PrintStream saved = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        CliTest.Run r;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            r = CliTest.run(args);
        } finally {
            System.setOut(saved);
        }
        return new CliTest.Run(r.code(), r.out() + stdout.toString(StandardCharsets.UTF_8), r.err());
    }

    @Test
    void theReferenceRunsWhereEbm4jRunsAndTheJsonFileHoldsBoth(@TempDir Path dir) throws Exception {
        FakePython py = FakePython.in(dir, true);
        Path json = dir.resolve("bench.json");
        CliTest.Run r = bench(dir, py, "--json-file", json.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("cpu", py.value("--device"), "auto: no GPU is benchmarked, so the reference runs on the CPU");
        assertTrue(r.out().contains("torch 9.9.9 eager"), r.out());
        String text = Files.readString(json, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"name\":\"cpu\"") || text.contains("\"name\": \"cpu\""), text);
        assertTrue(text.contains("\"name\":\"torch\"") || text.contains("\"name\": \"torch\""), text);
        assertTrue(text.contains("cpu/torch"), "the ratio of ebm4j to the reference: " + text);
    }

    @Test
    void anExplicitTorchDeviceIsPassedOn(@TempDir Path dir) throws Exception {
        FakePython py = FakePython.in(dir, true);
        assertEquals(0, bench(dir, py, "--torch-device", "cuda").code());
        assertEquals("cuda", py.value("--device"));
    }

    @Test
    void aFailedReferenceStillPrintsEbm4jsFigures(@TempDir Path dir) throws Exception {
        FakePython py = FakePython.in(dir, false);
        Path json = dir.resolve("bench.json");
        CliTest.Run r = bench(dir, py, "--json-file", json.toString());
        CliTest.assertUsageError(r, "--torch: the reference failed");
        assertTrue(r.out().contains("train_images_per_s"), "the CPU figures are printed: " + r.out());
        assertTrue(Files.readString(json, StandardCharsets.UTF_8).contains("train_images_per_s"));
    }

    @Test
    void badTorchDeviceAndJsonFolderAreRefusedBeforeAnyBenchmark(@TempDir Path dir) throws Exception {
        FakePython py = FakePython.in(dir, true);
        CliTest.assertUsageError(bench(dir, py, "--torch-device", "tpu"), "expected one of auto, cpu, cuda, got 'tpu'");
        CliTest.assertUsageError(bench(dir, py, "--json-file", dir.resolve("no/such/dir/b.json").toString()),
                "--json-file: no folder");
        assertTrue(Files.notExists(dir.resolve("args.txt")), "the reference never ran");
    }
}
