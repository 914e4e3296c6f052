package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.config.ConfigLoader;
import ebm4j.config.ResumeOverrides;
import ebm4j.config.TrainConfig;
import ebm4j.data.DataSource;
import ebm4j.data.Dataset;
import ebm4j.model.Checkpoint;
import ebm4j.train.DivergenceRecovery;
import ebm4j.train.RunFolder;
import ebm4j.train.RunLog;
import ebm4j.train.RunPlan;
import ebm4j.train.Trainer;
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

    @Option(names = "--name", paramLabel = "NAME",
            description = "Run folder name, a plain name (default: a timestamp; with --resume, see there).")
    String name;

    @Option(names = "--resume", paramLabel = "CKPT",
            description = "Continue from a checkpoint folder or a run folder (its newest checkpoint). The newest"
                    + " checkpoint of a run continues that run in its folder; any other checkpoint, or another"
                    + " --name/--out, starts a branch: a new run folder (default <run>-branch-<step> beside it) that"
                    + " records its parent. Keeps the checkpoint's hyperparameters, except those marked 'Applies"
                    + " with --resume' below; others are refused unless they repeat the run's values.")
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
        RunPlan plan = plan();
        if (plan.nothingToDo()) {
            spec.commandLine().getOut().println(plan.nothingToDoMessage());
            return 0;
        }
        TrainConfig cfg = plan.config();
        DataSource data = DataSource.of(cfg.dataset(), dataDir);
        Dataset train = data.train(!noFetch);
        Dataset test = data.test(train);
        if (cfg.trainSubset() > 0) {
            train = train.subset(Math.min(cfg.trainSubset(), train.count()));
        }
        plan.check(train, common.device == CommonOptions.Device.CPU || GpuSupport.unavailableReason() != null);

        try (RunFolder run = plan.open();
             RunLog log = RunLog.open(System.out, run.root(), cfg.logFile());
             Backend backend = Backends.open(common, log::info)) {
            try {
                return train(plan, run, log, backend, train, test);
            } catch (RuntimeException e) {
                // why the run ended belongs in its log too; the console gets it from the command line
                log.fileOnly((e instanceof UserException ? "error: " + e.getMessage() : "internal error: " + e));
                throw e;
            }
        }
    }

    private int train(RunPlan plan, RunFolder run, RunLog log, Backend backend, Dataset train, Dataset test)
            throws java.io.IOException {
        plan.describe().forEach(line -> log.info("%s", line));
        if (run.takenOverFrom() != null) {
            log.info("took over the run folder from %s, which no longer holds it", run.takenOverFrom());
        }
        if (run.leftoversRemoved() > 0) {
            log.info("removed %d files and folders left by an interrupted run (temporary files, incomplete"
                    + " checkpoints)", run.leftoversRemoved());
        }
        if (plan.resume() != null) {
            logChanges(log, plan.resume().config(), plan.config());
        }
        DivergenceRecovery recovery = new DivergenceRecovery(onDivergence == OnDivergence.ROLLBACK,
                DivergenceRecovery.MAX_ROLLBACKS, log);
        Trainer.Summary summary = recovery.run(plan.config(), plan.resume(), (c, from) -> {
            Trainer trainer = new Trainer(backend, c, train, test, new Trainer.Options(run, maxBatches, logEvery,
                    checkpointEvery, keep, from, energyBound), log);
            Signals.onStop(trainer::requestStop);
            return trainer.run();
        });
        log.info("run folder: %s (%.1f training images/s overall)", run.root(), summary.imagesPerSecond());
        if (summary.stoppedEarly() && Signals.received() != 0) {
            log.info("stopped by signal; resume with: ebm4j train --resume %s", summary.lastCheckpoint());
            return 128 + Signals.received();
        }
        return 0;
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

    /**
     * Where the run writes and with which hyperparameters; a resumed run keeps its checkpoint's,
     * with only those values applied that may change mid-run ({@link ResumeOverrides}).
     */
    private RunPlan plan() {
        Map<String, String> given = HyperparameterOptions.given(spec);
        String configFile = HyperparameterOptions.configFile(spec);
        if (resume == null) {
            return RunPlan.fresh(ConfigLoader.load(configFile, given), out, name != null ? name
                    : "train-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        Checkpoint.Loaded ck = Checkpoint.load(resume);
        TrainConfig cfg = ResumeOverrides.apply(ck.config(), given, configFile);
        boolean outGiven = spec.commandLine().getParseResult().hasMatchedOption("--out");
        return RunPlan.resume(ck, cfg, outGiven ? out : null, name);
    }

    /** Logs the hyperparameters a resumed run changed from its checkpoint's. */
    private static void logChanges(RunLog log, TrainConfig before, TrainConfig after) {
        Map<String, String> a = before.toProperties(), b = after.toProperties();
        a.forEach((k, v) -> {
            if (!v.equals(b.get(k))) {
                log.info("resumed with %s %s (the checkpoint had %s)", k, b.get(k), v);
            }
        });
    }
}
