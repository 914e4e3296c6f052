package ebm4j;

import ebm4j.cli.Main;
import ebm4j.data.MnistFetcher;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * One run folder trained for a few seconds on 5,000 MNIST images (the {@code plain} recipe at a
 * constant learning rate on a 32-32 network, 5 Langevin steps, a 500-image persistent-chain pool:
 * about 0.83 test accuracy, enough to tell a working model from a broken one). Not the default
 * recipe: one epoch of it at this width still ranks uniform noise above digits (README, "99 %
 * accuracy"), and the tests of what reads runs need a model whose energy already works. Trained
 * once per test JVM and shared by the tests of what reads runs: the Java API, {@code eval --json},
 * the report page. They only read it, except that the report test adds an evaluation ({@code eval
 * --out RUN/eval}) as a user would. Deleted when the JVM exits. Tests abort (skip) when MNIST is
 * not available, as every test on real data does; CI fetches it.
 */
public final class TinyRun {
    /** MNIST where {@code ebm4j data fetch} puts it, relative to the project (the tests' working folder). */
    public static final Path MNIST = Path.of("data", "mnist").toAbsolutePath();

    private static Path root;

    private TinyRun() {}

    /** The run folder (checkpoints/, figures/, report.html, ...), trained on first use. */
    public static synchronized Path folder() {
        if (root == null) {
            root = train();
        }
        return root;
    }

    private static Path train() {
        try {
            new MnistFetcher().ensure(MNIST);
        } catch (UserException e) {
            Assumptions.abort("MNIST is not available and cannot be fetched here: " + e.getMessage());
        }
        try {
            Path out = Files.createTempDirectory("ebm4j-tiny-run");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(out)));
            StringWriter log = new StringWriter();
            int code = Main.newCommandLine(new PrintWriter(log, true), new PrintWriter(log, true)).execute(
                    "train", "--device", "cpu", "--config", "plain", "--data-dir", MNIST.toString(),
                    "--out", out.toString(), "--name", "tiny", "--epochs", "1", "--train-subset", "5000",
                    "--lr-schedule", "constant", "--hidden", "32,32", "--langevin_steps", "5",
                    "--replay-size", "500", "--seed", "3");
            if (code != 0) {
                throw new IllegalStateException("training the tiny run failed (exit " + code + "):\n" + log);
            }
            return out.resolve("tiny");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is not worth failing the JVM's exit
        }
    }
}
