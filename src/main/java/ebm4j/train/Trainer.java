package ebm4j.train;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.compute.LossStats;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.data.Shuffle;
import ebm4j.eval.Classification;
import ebm4j.model.Checkpoint;
import ebm4j.model.Models;
import ebm4j.model.Scoring;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a whole training job: the epochs, and in each the batches, queued as {@link TrainStep}s
 * with the statistics read back once per log interval; after each epoch an evaluation on the test
 * set, the metrics, figures and a checkpoint. Stops early on request (signals) or after
 * {@code maxBatches}, always leaving a checkpoint it can resume from. What lives on the device is
 * {@link TrainingState}'s; when training has diverged is {@link DivergenceGuard}'s; how a
 * checkpoint is written is {@link Checkpointer}'s.
 */
public final class Trainer {

    /** How to run (as opposed to what to learn, which is the {@link TrainConfig}). */
    public record Options(RunFolder run, int maxBatches, int logEvery, int checkpointEvery, int keepCheckpoints,
                          Checkpoint.Loaded resume, double energyBound) {}

    /** Mean energies beyond this magnitude count as divergence (the reference drifts to a few hundred). */
    public static final double DEFAULT_ENERGY_BOUND = 1e5;

    /** What a finished (or stopped) run reports. */
    public record Summary(List<EpochMetrics> epochs, int batches, double imagesPerSecond, Timing timing,
                          boolean stoppedEarly, Path lastCheckpoint) {}

    private final Backend backend;
    private final TrainConfig config;
    private final Dataset train;
    private final Dataset test;
    private final Options options;
    private final RunLog log;
    private final int batchesPerEpoch;
    private volatile boolean stopRequested;
    private Checkpointer.Writer checkpointWriter = Checkpointer.SAVE;

    public Trainer(Backend backend, TrainConfig config, Dataset train, Dataset test, Options options, RunLog log) {
        if (train.count() < 1) {
            throw new UserException("the training set is empty");
        }
        this.backend = backend;
        this.config = config;
        this.train = train;
        this.test = test;
        this.options = options;
        this.log = log;
        this.batchesPerEpoch = (train.count() + config.batchSize() - 1) / config.batchSize();
    }

    /** Tests: writes checkpoints through {@code writer} (e.g. one that fails like a full disk). */
    Trainer checkpointWriter(Checkpointer.Writer writer) {
        this.checkpointWriter = writer;
        return this;
    }

    /** Asks the run to stop after the current batch and save a checkpoint (thread-safe). */
    public void requestStop() {
        stopRequested = true;
    }

    public Summary run() throws IOException {
        RunFolder run = options.run();
        try (TrainingState state = new TrainingState(backend, config, train,
                (long) config.epochs() * batchesPerEpoch)) {
            Position start = start(state);
            run.writeRealImages(train);
            logHeader(state);

            DivergenceGuard guard = new DivergenceGuard(options.energyBound());
            Checkpointer checkpoints = new Checkpointer(run, config, options.keepCheckpoints(), guard,
                    options.resume() == null ? null : options.resume().dir(), checkpointWriter);
            Timing timing = new Timing(TrainStep.flopsPerStep(state.model, config, config.batchSize()),
                    TrainStep.flopsPerLangevinStep(state.model, config.batchSize()));
            List<EpochMetrics> history = new ArrayList<>(run.restoreMetrics(start.epoch));
            int globalBatch = start.epoch * batchesPerEpoch + start.batch;
            long runStart = System.nanoTime();
            boolean stopped = false;
            for (int epoch = start.epoch; epoch < config.epochs() && !stopped; epoch++) {
                int first = epoch == start.epoch ? start.batch : 0;
                EpochRun e = new EpochRun(state, guard, checkpoints, timing, epoch, first, globalBatch);
                e.batches();
                globalBatch = e.globalBatch;
                stopped = e.stopped;
                endEpoch(state, checkpoints, timing, history, e);
            }
            run.writeTiming(timing, backend.describe());
            RunReport.write(run, config, backend.describe(), history);
            log.info("run took %.1f s", (System.nanoTime() - runStart) / 1e9);
            return new Summary(history, globalBatch, timing.imagesPerSecond(), timing, stopped, checkpoints.last());
        }
    }

    /** Where a run starts: (0, 0), or a resumed checkpoint's position with its state loaded. */
    private record Position(int epoch, int batch) {}

    private Position start(TrainingState state) {
        Checkpoint.Loaded ck = options.resume();
        if (ck == null) {
            state.model.initialise(config.seed());
            return new Position(0, 0);
        }
        state.restore(ck);
        log.info("resumed from %s at epoch %d, batch %d", ck.dir(), ck.state().epoch() + 1,
                ck.state().batchInEpoch());
        return new Position(ck.state().epoch(), ck.state().batchInEpoch());
    }

    /** One epoch's batches, from {@code first}: queues steps, reads statistics, checkpoints on schedule. */
    private final class EpochRun {
        final TrainingState state;
        final DivergenceGuard guard;
        final Checkpointer checkpoints;
        final Timing timing;
        final int epoch;
        final int first;
        final StatsWindow stats = new StatsWindow();
        int globalBatch;
        int done;
        int lastRows;
        boolean stopped;
        double seconds;

        EpochRun(TrainingState state, DivergenceGuard guard, Checkpointer checkpoints, Timing timing, int epoch,
                 int first, int globalBatch) {
            this.state = state;
            this.guard = guard;
            this.checkpoints = checkpoints;
            this.timing = timing;
            this.epoch = epoch;
            this.first = first;
            this.globalBatch = globalBatch;
            this.done = first;
            this.lastRows = config.batchSize();
        }

        void batches() throws IOException {
            long epochStart = System.nanoTime();
            int n = train.count(), batch = config.batchSize();
            state.data.setOrder(Shuffle.permutation(n, config.seed(), epoch));
            state.setCursor(first * batch);
            if (state.chains != null) {
                state.chains.prepareEpoch(epoch, batchesPerEpoch, first, (long) epoch * batchesPerEpoch);
            }
            state.backend.fill(state.stats, LossStats.SIZE, 0f);
            long intervalStart = System.nanoTime();
            int intervalImages = 0;
            for (int b = first; b < batchesPerEpoch; b++) {
                int rows = Math.min(batch, n - b * batch);
                state.data.enqueue(state.step, rows);
                lastRows = rows;
                done = b + 1;
                globalBatch++;
                intervalImages += rows;
                timing.countStep(rows, config.langevinSteps());
                boolean last = b == batchesPerEpoch - 1;
                boolean budgetSpent = options.maxBatches() > 0 && globalBatch >= options.maxBatches();
                boolean checkpointDue = options.checkpointEvery() > 0 && globalBatch % options.checkpointEvery() == 0;
                // statistics are always checked before a checkpoint, so no checkpoint holds a diverged state
                if (last || budgetSpent || stopRequested || checkpointDue || done % options.logEvery() == 0) {
                    StatsWindow window = state.drainStats();
                    stats.add(window);
                    guard.checkStatistics(window, globalBatch, checkpoints.last());
                    double s = (System.nanoTime() - intervalStart) / 1e9;
                    log.progress(ProgressBar.line(epoch + 1, config.epochs(), done, batchesPerEpoch,
                            window.mean(LossStats.LOSS), window.accuracy(), intervalImages / s));
                    intervalStart = System.nanoTime();
                    intervalImages = 0;
                }
                if (checkpointDue && !last) {
                    checkpoints.save(state, epoch, done, globalBatch);
                }
                if (budgetSpent || stopRequested) {
                    stopped = true;
                    break;
                }
            }
            seconds = (System.nanoTime() - epochStart) / 1e9;
            timing.addPhases(state.step.timer().drainMillis());
        }

        boolean complete() {
            return done == batchesPerEpoch;
        }
    }

    /** After an epoch's batches: test-set evaluation, metrics, figures and the checkpoint. */
    private void endEpoch(TrainingState state, Checkpointer checkpoints, Timing timing, List<EpochMetrics> history,
                          EpochRun e) throws IOException {
        RunFolder run = options.run();
        long evalStart = System.nanoTime();
        // an empty test set has no metrics: NaN (null in metrics.jsonl), and the log says so
        Classification eval = test.count() == 0 ? new Classification(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN)
                : Classification.of(Scoring.scores(state.model, test.images(), test.count()), test.labels(),
                test.count(), test.classes(), config.energySign().sign());
        timing.addEvaluation((System.nanoTime() - evalStart) / 1e6);

        StatsWindow s = e.stats;
        EpochMetrics m = new EpochMetrics(e.epoch + 1, s.batches(), s.mean(LossStats.LOSS), s.mean(LossStats.CLF),
                s.mean(LossStats.GEN), s.mean(LossStats.E_REAL), s.mean(LossStats.E_SAMPLE), s.accuracy(),
                eval.crossEntropy(), eval.accuracy(), eval.meanEnergy(), eval.ece(),
                (e.done - e.first) * (double) config.batchSize() / e.seconds, e.seconds);
        history.add(m);
        run.appendMetrics(m);
        String testPart = test.count() == 0 ? "no test images"
                : String.format(java.util.Locale.ROOT, "test loss %.4f acc %.4f ECE %.4f", m.testLoss(),
                m.testAccuracy(), m.testEce());
        log.info("Epoch %d/%d%s: loss %.4f (clf %.4f, gen %.4f) E_real %.3f E_sample %.3f train acc %.4f"
                        + " | %s | %.1f img/s",
                e.epoch + 1, config.epochs(), e.complete() ? "" : " (partial, " + e.done + " batches)",
                m.trainLoss(), m.trainClf(), m.trainGen(), m.energyReal(), m.energySample(),
                m.trainAccuracy(), testPart, m.imagesPerSecond());
        log.info("%s", timing.epochLine(e.epoch + 1));

        float[] samples = state.lastSamples(e.lastRows);
        if ((e.epoch + 1) % config.figureEvery() == 0) {
            run.writeGeneratedImages(e.epoch + 1, samples, e.lastRows, train.shape());
        }
        run.writeLossCurves(history);
        if (e.complete()) {
            checkpoints.save(state, e.epoch + 1, 0, e.globalBatch);
        } else {
            checkpoints.save(state, e.epoch, e.done, e.globalBatch);
        }
        if (e.epoch + 1 == config.epochs() || e.stopped) {
            run.writeFinalImages(samples, e.lastRows, train.shape());
        }
    }

    private void logHeader(TrainingState state) {
        log.info("ebm4j training on %s", backend.describe());
        log.info("model %s: %,d parameters; %s: %d training images of %s, %d classes, %d test images,"
                        + " %d batches per epoch",
                Models.type(config.model()).describe(state.model.spec()), state.model.parameterCount(),
                config.dataset(), train.count(), train.shape(), train.classes(), test.count(), batchesPerEpoch);
        log.info("config %s", config.toProperties());
        if (test.count() == 0) {
            log.info("the test set is empty: test loss, accuracy and ECE are skipped (null in metrics.jsonl)");
        }
    }
}
