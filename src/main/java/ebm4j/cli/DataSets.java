package ebm4j.cli;

import ebm4j.data.Dataset;
import ebm4j.data.MnistFetcher;
import java.nio.file.Path;

/** Where commands get MNIST from: the data folder, fetched first when allowed and missing. */
final class DataSets {
    private DataSets() {}

    static Dataset train(Path dir, boolean fetch) {
        if (fetch) {
            new MnistFetcher().ensure(dir);
        }
        return Dataset.load(dir, "train");
    }

    static Dataset test(Path dir) {
        return Dataset.load(dir, "t10k");
    }
}
