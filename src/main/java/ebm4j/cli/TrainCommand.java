package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ebm4j train}: the original project's flags verbatim (snake_case) beside kebab-case ones.
 * Hyperparameter options are read as strings and validated by {@link ConfigLoader}, so a bad
 * value gets the same message whether it came from a file or the command line.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        header = "Train the joint energy-based model.",
        description = {"Trains EnergyNet with cross-entropy plus the contrastive energy loss, drawing negatives",
                "by Langevin dynamics. Writes a run folder: the log, figures/, checkpoints/, metrics.jsonl,",
                "timing.json. Hyperparameters: command line > --config FILE > config/default.properties.",
                "MNIST is fetched into --data-dir when missing."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file or bundled preset name (default, seed-code).")
    String config;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default 15).")
    String epochs;

    @Option(names = {"--batch-size", "--batch_size"}, paramLabel = "N", description = "Batch size (default 64).")
    String batchSize;

    @Option(names = {"--langevin-steps", "--langevin_steps"}, paramLabel = "N",
            description = "Langevin steps per batch (default 50).")
    String langevinSteps;

    @Option(names = {"--langevin-alpha", "--langevin_alpha"}, paramLabel = "A",
            description = "Langevin step size (default 0.1).")
    String langevinAlpha;

    @Option(names = {"--langevin-sigma", "--langevin_sigma"}, paramLabel = "S",
            description = "Langevin noise standard deviation (default 0.01).")
    String langevinSigma;

    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate (default 0.001).")
    String lr;

    @Option(names = {"--log-file", "--log_file"}, paramLabel = "NAME",
            description = "Log file name inside the run folder (default ebm_training.log).")
    String logFile;

    @Option(names = {"--hidden", "--hidden-dims", "--hidden_dims"}, paramLabel = "W,W,W",
            description = "Hidden layer widths (default 512,512,512).")
    String hidden;

    @Option(names = {"--figure-every", "--figure_every"}, paramLabel = "N",
            description = "Write a sample grid every N epochs (default 5).")
    String figureEvery;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default 0).")
    String seed;

    @Option(names = {"--energy-sign", "--energy_sign"}, paramLabel = "reference|jem",
            description = "E = LSE (reference) or E = -LSE (jem).")
    String energySign;

    @Option(names = "--objective", paramLabel = "joint|classifier",
            description = "joint (CE + energy loss) or classifier (CE only).")
    String objective;

    @Option(names = {"--energy-l2", "--energy_l2"}, paramLabel = "W", description = "Energy L2 penalty weight.")
    String energyL2;

    @Option(names = {"--langevin-grad-clip", "--langevin_grad_clip"}, paramLabel = "C",
            description = "Clip Langevin gradients to [-C, C] (0 = off).")
    String gradClip;

    @Option(names = {"--data-noise", "--data_noise"}, paramLabel = "S",
            description = "Gaussian noise std added to real images.")
    String dataNoise;

    @Option(names = {"--warmup-steps", "--warmup_steps"}, paramLabel = "N",
            description = "Linear learning-rate warm-up in batches.")
    String warmupSteps;

    @Option(names = {"--adam-beta1", "--adam_beta1"}, paramLabel = "B", description = "Adam beta1 (default 0.9).")
    String beta1;

    @Option(names = {"--replay-size", "--replay_size"}, paramLabel = "N",
            description = "Persistent chains: pool of N samples (0 = chains start from noise).")
    String replaySize;

    @Option(names = {"--replay-reinit", "--replay_reinit"}, paramLabel = "P",
            description = "Probability that a persistent chain restarts from noise (default 0.05).")
    String replayReinit;

    @Option(names = {"--gen-weight", "--gen_weight"}, paramLabel = "W",
            description = "Weight of the contrastive energy term (1 = the original loss).")
    String genWeight;

    @Option(names = {"--lr-schedule", "--lr_schedule"}, paramLabel = "constant|linear",
            description = "constant, or linear: lr falls linearly to lr/N over the run's N batches.")
    String lrSchedule;

    @Option(names = "--data-dir", defaultValue = "data/mnist", paramLabel = "DIR",
            description = "MNIST IDX folder (default ${DEFAULT-VALUE}).")
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

    @Option(names = {"--train-subset", "--train_subset"}, paramLabel = "N",
            description = "Train on the first N training images only (0 = all).")
    String trainSubset;

    @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "N",
            description = "Also checkpoint every N batches (0 = only at epoch ends). Default ${DEFAULT-VALUE}.")
    int checkpointEvery;

    @Option(names = "--keep", defaultValue = "3", paramLabel = "K",
            description = "Keep the last K checkpoints. Default ${DEFAULT-VALUE}.")
    int keep;

    @Option(names = "--log-every", defaultValue = "20", paramLabel = "N",
            description = "Read statistics back every N batches. Default ${DEFAULT-VALUE}.")
    int logEvery;

    @Option(names = "--on-divergence", defaultValue = "stop", paramLabel = "stop|rollback",
            description = "On non-finite values or energies beyond --energy-bound: stop (exit 2), or roll back to "
                    + "the last good checkpoint with half the learning rate (at most 3 times). Default ${DEFAULT-VALUE}.")
    String onDivergence;

    @Option(names = "--energy-bound", defaultValue = "1e5", paramLabel = "E",
            description = "Mean energies beyond +-E count as divergence. Default ${DEFAULT-VALUE}.")
    double energyBound;

    @Override
    public Integer call() throws Exception {
        validateRunOptions();
        Backends.check(common);
        Checkpoint.Loaded resumed = resume == null ? null : Checkpoint.load(resume);
        TrainConfig cfg = resumed == null
                ? ConfigLoader.load(config, overrides())
                : resumedConfig(resumed);
        Path runDir = runDirectory(resumed);
        RunFolder run = new RunFolder(runDir); // fails fast when the folder cannot be written
        Dataset train = DataSets.train(dataDir, !noFetch);
        if (cfg.trainSubset() > 0) {
            train = train.subset(Math.min(cfg.trainSubset(), train.count()));
        }
        Dataset test = DataSets.test(dataDir);

        try (RunLog log = new RunLog(System.out, runDir.resolve(cfg.logFile()));
             Backend backend = Backends.open(common, log::info)) {
            Dataset trainSet = train;
            DivergenceRecovery recovery = new DivergenceRecovery(onDivergence.equals("rollback"),
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
        if (!onDivergence.equals("stop") && !onDivergence.equals("rollback")) {
            throw new UserException("--on-divergence must be stop or rollback, got '" + onDivergence + "'");
        }
        if (!(energyBound > 0)) {
            throw new UserException("--energy-bound must be a positive number, got " + energyBound);
        }
    }

    /** Resuming keeps the checkpoint's hyperparameters; only the epoch count may be raised. */
    private TrainConfig resumedConfig(Checkpoint.Loaded ck) {
        Map<String, String> p = new LinkedHashMap<>(ck.config().toProperties());
        if (epochs != null) {
            p.put("epochs", epochs);
        }
        return ConfigLoader.fromProperties(p, "the checkpoint and --epochs");
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

    private Map<String, String> overrides() {
        Map<String, String> o = new LinkedHashMap<>();
        put(o, "epochs", epochs);
        put(o, "batch_size", batchSize);
        put(o, "langevin_steps", langevinSteps);
        put(o, "langevin_alpha", langevinAlpha);
        put(o, "langevin_sigma", langevinSigma);
        put(o, "lr", lr);
        put(o, "log_file", logFile);
        put(o, "hidden_dims", hidden);
        put(o, "figure_every", figureEvery);
        put(o, "seed", seed);
        put(o, "train_subset", trainSubset);
        put(o, "energy_sign", energySign);
        put(o, "objective", objective);
        put(o, "energy_l2", energyL2);
        put(o, "langevin_grad_clip", gradClip);
        put(o, "data_noise", dataNoise);
        put(o, "warmup_steps", warmupSteps);
        put(o, "adam_beta1", beta1);
        put(o, "replay_size", replaySize);
        put(o, "replay_reinit", replayReinit);
        put(o, "gen_weight", genWeight);
        put(o, "lr_schedule", lrSchedule);
        return o;
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
