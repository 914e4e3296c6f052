package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.data.DataSource;
import ebm4j.data.Dataset;
import ebm4j.model.Checkpoint;
import ebm4j.train.DivergenceRecovery;
import ebm4j.train.RunFolder;
import ebm4j.train.RunLog;
import ebm4j.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ebm4j train}: the original project's flags verbatim (snake_case) beside kebab-case ones.
 * Hyperparameter options are read as strings and validated by {@link ConfigLoader}, so a bad
 * value gets the same message whether it came from a file or the command line.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        modelTransformer = HyperparameterOptions.class,
        header = "Train the joint energy-based model.",
        description = "Trains the model with cross-entropy plus the contrastive energy loss, drawing negatives with "
                + "the sampler. Writes a run folder: the log, figures/, checkpoints/, metrics.jsonl, timing.json, "
                + "report.html. Hyperparameters: command line > --config FILE > the defaults below. MNIST is "
                + "fetched into --data-dir when missing.")
public final class TrainCommand implements Callable<Integer> {
    /** What to do when training diverges. */
    enum OnDivergence {
        STOP, ROLLBACK;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder of the named data set (default: data/mnist for MNIST, Debian's folder for"
                    + " Fashion-MNIST).")
    Path dataDir;

    @Option(names = "--no-fetch", description = "Fail instead of fetching MNIST when it is missing.")
    boolean noFetch;

    @Option(names = "--out", defaultValue = "runs", paramLabel = "DIR",
            description = "Parent folder of run folders (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "Run folder name (default: a timestamp).")
    String name;

    @Option(names = "--resume", paramLabel = "CKPT",
            description = "Continue from a checkpoint folder or a run folder (its newest checkpoint).")
    Path resume;

    @Option(names = "--max-batches", defaultValue = "0", paramLabel = "N",
            description = "Stop after N batches in total (0 = no limit); for quick runs.")
    int maxBatches;

    @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "N",
            description = "Also checkpoint every N batches (0 = only at epoch ends). Default ${DEFAULT-VALUE}.")
    int checkpointEvery;

    @Option(names = "--keep", defaultValue = "3", paramLabel = "K",
            description = "Keep the last K checkpoints. Default ${DEFAULT-VALUE}.")
    int keep;

    @Option(names = "--log-every", defaultValue = "20", paramLabel = "N",
            description = "Read statistics back every N batches. Default ${DEFAULT-VALUE}.")
    int logEvery;

    @Option(names = "--on-divergence", defaultValue = "stop", paramLabel = "POLICY",
            description = "On non-finite values or energies beyond --energy-bound: stop (exit 2), or rollback to "
                    + "the last good checkpoint with half the learning rate (at most 3 times). Default ${DEFAULT-VALUE}.")
    OnDivergence onDivergence;

    @Option(names = "--energy-bound", defaultValue = "1e5", paramLabel = "E",
            description = "Mean energies beyond +-E count as divergence. Default ${DEFAULT-VALUE}.")
    double energyBound;

    @Override
    public Integer call() throws Exception {
        validateRunOptions();
        Backends.check(common);
        Checkpoint.Loaded resumed = resume == null ? null : Checkpoint.load(resume);
        TrainConfig cfg = resumed == null
                ? ConfigLoader.load(HyperparameterOptions.configFile(spec), HyperparameterOptions.given(spec))
                : resumedConfig(resumed);
        Path runDir = runDirectory(resumed);
        RunFolder run = new RunFolder(runDir); // fails fast when the folder cannot be written
        DataSource data = DataSource.of(cfg.dataset(), dataDir);
        Dataset train = data.train(!noFetch);
        Dataset test = data.test(train);
        if (cfg.trainSubset() > 0) {
            train = train.subset(Math.min(cfg.trainSubset(), train.count()));
        }

        try (RunLog log = new RunLog(System.out, runDir.resolve(cfg.logFile()));
             Backend backend = Backends.open(common, log::info)) {
            Dataset trainSet = train;
            DivergenceRecovery recovery = new DivergenceRecovery(onDivergence == OnDivergence.ROLLBACK,
                    DivergenceRecovery.MAX_ROLLBACKS, log);
            Trainer.Summary summary = recovery.run(cfg, resumed, (c, from) -> {
                Trainer trainer = new Trainer(backend, c, trainSet, test, new Trainer.Options(run, maxBatches, logEvery,
                        checkpointEvery, keep, from, energyBound), log);
                Signals.onStop(trainer::requestStop);
                return trainer.run();
            });
            log.info("run folder: %s (%.1f training images/s overall)", runDir, summary.imagesPerSecond());
            if (summary.stoppedEarly() && Signals.received() != 0) {
                log.info("stopped by signal; resume with: ebm4j train --resume %s", summary.lastCheckpoint());
                return 128 + Signals.received();
            }
            return 0;
        }
    }

    private void validateRunOptions() {
        if (maxBatches < 0 || checkpointEvery < 0) {
            throw new UserException("--max-batches and --checkpoint-every must be >= 0");
        }
        if (keep < 1 || logEvery < 1) {
            throw new UserException("--keep and --log-every must be >= 1");
        }
        if (!(energyBound > 0)) {
            throw new UserException("--energy-bound must be a positive number, got " + energyBound);
        }
    }

    /** Resuming keeps the checkpoint's hyperparameters; only the epoch count may be raised. */
    private TrainConfig resumedConfig(Checkpoint.Loaded ck) {
        String epochs = HyperparameterOptions.given(spec).get("epochs");
        return epochs == null ? ck.config()
                : ConfigLoader.with(ck.config(), Map.of("epochs", epochs), "--epochs");
    }

    private Path runDirectory(Checkpoint.Loaded resumed) {
        if (resumed != null && name == null) {
            // checkpoints live in <run>/checkpoints/<step>/: continue in the same run folder
            Path run = resumed.dir().toAbsolutePath().getParent().getParent();
            if (run != null && Files.isDirectory(run.resolve("checkpoints"))) {
                return run;
            }
        }
        String runName = name != null ? name
                : "train-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        if (runName.isBlank() || runName.contains("/") || runName.equals("..")) {
            throw new UserException("--name must be a plain folder name, got '" + runName + "'");
        }
        Path dir = out.resolve(runName);
        if (resumed == null && Files.exists(dir.resolve("metrics.jsonl"))) {
            throw new UserException("run folder " + dir + " already holds a run; choose another --name, or continue it"
                    + " with --resume " + dir);
        }
        return dir;
    }
}
