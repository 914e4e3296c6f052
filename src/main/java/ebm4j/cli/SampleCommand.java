package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.model.Checkpoint;
import ebm4j.model.EnergyNet;
import ebm4j.report.ImageGrid;
import ebm4j.train.SampleGenerator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ebm4j sample}: draws images from a checkpoint by Langevin dynamics into a PNG grid. */
@Command(name = "sample", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        header = "Generate digits from a checkpoint.",
        description = "Runs Langevin chains on the model's energy (or, with --class, on the energy of one class)"
                + " from its persistent-chain pool or from uniform noise, and writes the images as a PNG grid.")
public final class SampleCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions model;

    @Option(names = {"-n", "--count"}, defaultValue = "64", paramLabel = "N", description = "Images (default 64).")
    int count;

    @Option(names = "--class", paramLabel = "K", description = "Sample digit K only (0-9).")
    Integer digit;

    @Option(names = {"-o", "--output"}, defaultValue = "samples.png", paramLabel = "PNG",
            description = "Output image (default ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--columns", defaultValue = "8", paramLabel = "N", description = "Grid columns (default 8).")
    int columns;

    @Override
    public Integer call() throws Exception {
        if (count < 1 || count > 100_000) {
            throw new UserException("--count must be in [1, 100000], got " + count);
        }
        if (digit != null && (digit < 0 || digit > 9)) {
            throw new UserException("--class must be a digit 0-9, got " + digit);
        }
        if (columns < 1) {
            throw new UserException("--columns must be >= 1, got " + columns);
        }
        Checkpoint.Loaded ck = Checkpoint.load(model.checkpoint);
        float[] pool = model.startPool(ck);
        int[] classes = null;
        if (digit != null) {
            classes = new int[count];
            java.util.Arrays.fill(classes, digit);
        }
        float[] images;
        try (Backend backend = Backends.open(common, System.err::println);
             EnergyNet net = new EnergyNet(backend, ck.layout(), Math.min(count, 256))) {
            backend.upload(net.params(), ck.params());
            images = SampleGenerator.generate(net, model.chain(ck.config()), model.seed, count, classes, pool);
        }
        ImageGrid.write(output, images, count, columns); // atomic: an existing file is replaced whole or not at all
        System.out.printf("wrote %d %s samples to %s%n", count,
                digit == null ? "unconditional" : "class-" + digit, output);
        return 0;
    }
}
