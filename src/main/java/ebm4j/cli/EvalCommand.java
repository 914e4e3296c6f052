package ebm4j.cli;

import ebm4j.Json;
import ebm4j.OutputFiles;
import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.data.DataSource;
import ebm4j.data.Dataset;
import ebm4j.eval.Evaluation;
import ebm4j.eval.EvaluationFiles;
import ebm4j.model.Checkpoint;
import ebm4j.model.ModelSpec;
import ebm4j.train.EvalOutput;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ebm4j eval}: parses, runs {@link Evaluation}, prints the figures and writes the files. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        header = "Evaluate a checkpoint.",
        description = "Reports test accuracy, cross-entropy, ECE (15 bins), mean energy of test images and of fresh "
                + "samples, OOD AUROC of the test set against uniform noise and an OOD data set (by default "
                + "Fashion-MNIST for MNIST models and MNIST for Fashion-MNIST models), scored by -energy and by "
                + "max-softmax, and with --judge (repeatable) each judge's accuracy on class-conditional samples, its "
                + "confidence on unconditional ones, and the Fréchet distance between N samples and N test images in "
                + "its feature space beside that between N training and N test images (the floor at that N).")
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions model;

    @Option(names = "--dataset", paramLabel = "NAME|DIR",
            description = "Test data: mnist, fashion-mnist or a folder of IDX files (default: the checkpoint's).")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder of the named data set (default: data/mnist for MNIST, Debian's folder for Fashion-MNIST).")
    Path dataDir;

    @Option(names = "--ood", paramLabel = "NAME|DIR|none",
            description = "Out-of-distribution set: mnist, fashion-mnist, a folder, or none (default: the data set's"
                    + " natural counterpart, skipped with a note when it is not installed).")
    String ood;

    @Option(names = "--samples", defaultValue = "1000", paramLabel = "N",
            description = "Fresh samples for energies and the judges, unconditional and as many class-conditional"
                    + " (default ${DEFAULT-VALUE}: 100 per class for 10 classes, so that a class's acceptance is"
                    + " known to a few points; each share is reported with its 95 %% interval).")
    int samples;

    @Option(names = "--judge", paramLabel = "CKPT",
            description = "Classifier checkpoint that judges samples; repeat for several judges.")
    List<Path> judges = new ArrayList<>();

    @Option(names = "--fd-n", paramLabel = "N[,N...]|none",
            description = "Numbers of images at which each judge's Fréchet distances are measured (default: "
                    + "1000,10000, skipping those larger than the test set; none: no distances).")
    String fdSizes;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write eval.json, energy_histogram.png and sample grids here. Inside a run folder only"
                    + " RUN/eval of the checkpoint's own run is allowed (it also updates RUN/report.html).")
    Path out;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Use the first N test images (0 = all).")
    int limit;

    @Option(names = "--json", description = "Print the figures as one JSON object (the fields of eval.json) and"
            + " nothing else on stdout; notes go to stderr.")
    boolean json;

    /** Fréchet distance sizes when --fd-n is not given. */
    static final List<Integer> DEFAULT_FD_SIZES = List.of(1000, 10_000);

    @Override
    public Integer call() throws Exception {
        if (samples < 10 || samples > 100_000 || limit < 0) {
            throw new UserException("--samples must be in [10, 100000] and --limit >= 0");
        }
        List<Integer> fdAsked = frechetSizes();
        Backends.check(common);
        Checkpoint.Loaded ck = Checkpoint.load(model.checkpoint);
        List<Checkpoint.Loaded> judgeCks = new ArrayList<>();
        for (Path j : judges) {
            judgeCks.add(compatible(Checkpoint.load(j), ck.spec(), "judge"));
        }
        DataSource data = DataSource.of(dataset != null ? dataset : ck.config().dataset(), dataDir);
        Dataset test = matching(data.test(), ck.spec(), data);
        if (limit > 0) {
            test = test.subset(Math.min(limit, test.count()));
        }
        List<Integer> fd = judgeCks.isEmpty() ? List.of() : frechetSizesThatFit(fdAsked, test.count(), "test");
        Dataset train = fd.isEmpty() ? null : matching(data.train(false), ck.spec(), data);
        fd = fd.isEmpty() ? fd : frechetSizesThatFit(fd, train.count(), "training");
        DataSource oodSource = oodSource(data);
        Dataset oodSet = oodSource == null ? null : matching(oodSource.test(), ck.spec(), oodSource);
        Evaluation.Inputs inputs = new Evaluation.Inputs(test, data.displayName() + " test", oodSet,
                oodSource == null ? null : oodSource.displayName(), oodSource == null ? null : oodSource.key(),
                judgeCks, samples, model.chain(ck), model.seed, model.startPool(ck), out != null, train, fd);
        // --out is claimed before the evaluation runs: a folder that may not or cannot be written fails now
        try (EvalOutput destination = out == null ? null : EvalOutput.claim(out, ck.dir())) {
            Evaluation.Result result;
            try (Backend backend = Backends.open(common, System.err::println)) {
                result = Evaluation.run(backend, ck, inputs);
            }
            // with --json, stdout holds the JSON object only: what else there is to say goes to stderr
            PrintStream notes = json ? System.err : System.out;
            if (json) {
                System.out.println(Json.writePretty(result.figures()));
            } else {
                print(result.figures());
            }
            if (destination != null) {
                try {
                    EvaluationFiles.write(destination.dir(), result, ck.spec().input(), ck.spec().classes());
                } catch (IOException e) {
                    throw OutputFiles.cannotWrite(destination.dir(), e);
                }
                notes.println("wrote " + EvaluationFiles.JSON + ", " + EvaluationFiles.HISTOGRAM + ", "
                        + EvaluationFiles.SAMPLES + " and " + EvaluationFiles.CONDITIONAL + " to " + out);
                Path report = destination.written(ck.config());
                if (report != null) {
                    notes.println("updated " + report + " with the evaluation");
                }
            }
        }
        return 0;
    }

    /** The sizes --fd-n asks for, ascending; null when it was not given (the defaults then apply). */
    private List<Integer> frechetSizes() {
        if (fdSizes == null) {
            return null;
        }
        if (fdSizes.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
        for (String part : fdSizes.split(",", -1)) {
            int n;
            try {
                n = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 2) {
                throw new UserException("--fd-n takes image counts of at least 2 separated by commas, or none; got '"
                        + fdSizes + "'");
            }
            sizes.add(n);
        }
        if (judges.isEmpty()) {
            throw new UserException("--fd-n needs a --judge: the distance is measured in a judge's feature space");
        }
        return List.copyOf(sizes);
    }

    /**
     * The Fréchet distance sizes that {@code available} test or training images allow: of the
     * defaults (asked null) those that fit, with a note for each skipped; of sizes given with --fd-n
     * all, or an error.
     */
    private List<Integer> frechetSizesThatFit(List<Integer> asked, int available, String split) {
        List<Integer> fit = new ArrayList<>();
        for (int n : asked != null ? asked : DEFAULT_FD_SIZES) {
            if (n <= available) {
                fit.add(n);
            } else if (fdSizes != null) {
                throw new UserException("--fd-n " + n + " needs " + n + " " + split + " images, but there are only "
                        + available + (split.equals("test") ? " (see --limit)" : ""));
            } else {
                System.err.println("Fréchet distance at N=" + n + " skipped: only " + available + " " + split
                        + " images" + (split.equals("test") ? " (see --limit)" : "") + "; --fd-n chooses the sizes");
            }
        }
        return fit;
    }

    /** The OOD source: as asked, or the natural counterpart when it is installed, or none. */
    private DataSource oodSource(DataSource data) {
        if (ood == null) {
            DataSource natural = data.naturalOod();
            if (natural != null && !natural.present()) {
                System.err.println(natural.displayName() + " not found at " + natural.dir() + ": skipping that OOD test"
                        + " (--ood names another set)");
                return null;
            }
            return natural;
        }
        return ood.equalsIgnoreCase("none") ? null : DataSource.of(ood, null);
    }

    /** The data as the model sees it: the same image shape and class count, or a clear error. */
    private static Dataset matching(Dataset d, ModelSpec spec, DataSource source) {
        if (!d.shape().equals(spec.input()) || d.classes() > spec.classes()) {
            throw new UserException(source.displayName() + " (" + source.dir() + ") has " + d.shape() + " images in "
                    + d.classes() + " classes, but the model takes " + spec.input() + " images in " + spec.classes()
                    + " classes; pass --dataset naming the data it was trained on");
        }
        return d;
    }

    private static Checkpoint.Loaded compatible(Checkpoint.Loaded judge, ModelSpec spec, String role) {
        if (!judge.spec().input().equals(spec.input()) || judge.spec().classes() != spec.classes()) {
            throw new UserException("the " + role + " " + judge.dir() + " takes " + judge.spec().input() + " images in "
                    + judge.spec().classes() + " classes, the model " + spec.input() + " in " + spec.classes());
        }
        return judge;
    }

    private static void print(Map<String, Object> figures) {
        figures.forEach((k, v) -> {
            if (v instanceof List<?> list) {
                for (Object item : list) {
                    System.out.println(k + ":");
                    if (item instanceof Map<?, ?> m) {
                        m.forEach((kk, vv) -> printNested("  " + kk, vv));
                    }
                }
            } else {
                System.out.println(line(k, v));
            }
        });
    }

    /**
     * A value that is a map of maps (a judge's Fréchet distances by N) prints one line per inner map,
     * its entries side by side: {@code fd N=1000   samples 12.3, train_floor 4.5}.
     */
    private static void printNested(String key, Object value) {
        if (!(value instanceof Map<?, ?> outer)) {
            System.out.println(line(key, value));
            return;
        }
        outer.forEach((k, inner) -> {
            if (inner instanceof Map<?, ?> m) {
                List<String> parts = new ArrayList<>();
                m.forEach((kk, vv) -> parts.add(kk + " " + text(vv)));
                System.out.println(String.format(Locale.ROOT, "%-34s %s", key + " N=" + k, String.join(", ", parts)));
            } else {
                System.out.println(line(key + " " + k, inner));
            }
        });
    }

    private static String line(String key, Object value) {
        return String.format(Locale.ROOT, "%-34s %s", key, text(value));
    }

    private static String text(Object value) {
        if (value instanceof Double d) {
            return String.format(Locale.ROOT, "%.5f", d);
        }
        if (value instanceof double[] a) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", a[i]));
            }
            return sb.append(']').toString();
        }
        if (value instanceof int[] a) {
            return java.util.Arrays.toString(a);
        }
        return String.valueOf(value);
    }
}
