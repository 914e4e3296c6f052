package ebm4j.cli;

import ebm4j.OutputFiles;
import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.model.Checkpoint;
import ebm4j.model.EnergyModel;
import ebm4j.model.Models;
import ebm4j.report.ImageGrid;
import ebm4j.sample.SampleGenerator;
import ebm4j.sample.StartPool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ebm4j sample}: draws images from a checkpoint by its sampler into a PNG grid. */
@Command(name = "sample", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        header = "Generate images from a checkpoint.",
        description = "Runs sampling chains on the model's energy (or, with --class, on the energy of one class)"
                + " from its persistent-chain pool or from uniform noise, and writes the images as a PNG grid.")
public final class SampleCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions model;

    @Option(names = {"-n", "--count"}, defaultValue = "64", paramLabel = "N", description = "Images (default 64).")
    int count;

    @Option(names = "--class", paramLabel = "K", description = "Sample class K only (0 to classes-1).")
    Integer label;

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
        if (columns < 1) {
            throw new UserException("--columns must be >= 1, got " + columns);
        }
        Backends.check(common);
        OutputFiles.requireWritableFile(output, "--output"); // before the sampling, not after
        Checkpoint.Loaded ck = Checkpoint.load(model.checkpoint);
        int classes = ck.spec().classes();
        if (label != null && (label < 0 || label >= classes)) {
            throw new UserException("--class must be in 0.." + (classes - 1) + " for this model, got " + label);
        }
        StartPool pool = model.startPool(ck);
        int[] wanted = null;
        if (label != null) {
            wanted = new int[count];
            Arrays.fill(wanted, label);
        }
        float[] images;
        try (Backend backend = Backends.open(common, System.err::println);
             EnergyModel net = Models.create(backend, ck.spec(), Math.min(count, 256))) {
            backend.upload(net.params(), ck.params());
            images = SampleGenerator.generate(net, model.chain(ck), model.seed, count, wanted, pool);
        }
        // atomic: an existing file is replaced whole or not at all
        try {
            ImageGrid.write(output, images, count, columns, ck.spec().input().height(), ck.spec().input().width(),
                    ck.spec().input().channels());
        } catch (IOException e) {
            throw OutputFiles.cannotWrite(output, e);
        }
        System.out.printf("wrote %d %s samples to %s%n", count, label == null ? "unconditional" : "class-" + label,
                output);
        return 0;
    }
}
