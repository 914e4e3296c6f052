package ebm4j.train;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.data.Shuffle;
import ebm4j.eval.Classification;
import ebm4j.eval.Scoring;
import ebm4j.model.Checkpoint;
import ebm4j.model.EnergyNet;
import ebm4j.model.ParameterLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a whole training job: uploads the data once, queues {@link TrainStep}s batch after batch,
 * reads the accumulated statistics once per log interval, and after each epoch evaluates on the
 * test set, writes figures, metrics and a checkpoint. Stops early on request (signals) or after
 * {@code maxBatches}, always leaving a checkpoint it can resume from.
 */
public final class Trainer {

    /** How to run (as opposed to what to learn, which is the {@link TrainConfig}). */
    public record Options(RunFolder run, int maxBatches, int logEvery, int checkpointEvery, int keepCheckpoints,
                          Checkpoint.Loaded resume, double energyBound) {
        /** Defaults for everything but the run folder and the batch budget. */
        public static Options of(RunFolder run, int maxBatches) {
            return new Options(run, maxBatches, 20, 0, 3, null, DEFAULT_ENERGY_BOUND);
        }
    }

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
    private volatile boolean stopRequested;

    public Trainer(Backend backend, TrainConfig config, Dataset train, Dataset test, Options options, RunLog log) {
        this.backend = backend;
        this.config = config;
        this.train = train;
        this.test = test;
        this.options = options;
        this.log = log;
    }

    /** Asks the run to stop after the current batch and save a checkpoint (thread-safe). */
    public void requestStop() {
        stopRequested = true;
    }

    public Summary run() throws IOException {
        ParameterLayout layout = ParameterLayout.of(Dataset.PIXELS, config.hiddenDims(), Dataset.CLASSES);
        int batch = config.batchSize();
        int n = train.count();
        if (n < 1) {
            throw new UserException("the training set is empty");
        }
        int batchesPerEpoch = (n + batch - 1) / batch;
        RunFolder run = options.run();
        try (EnergyNet net = new EnergyNet(backend, layout, 2 * batch);
             IntBuf counters = backend.allocInt(Counters.SIZE);
             Buf stats = backend.alloc(LossStats.SIZE);
             ResidentData data = new ResidentData(backend, train);
             ReplayBuffer replay = replayBuffer(batch);
             TrainStep step = new TrainStep(net, config, counters, stats, replay,
                     (long) config.epochs() * batchesPerEpoch)) {

            int startEpoch = 0, startBatch = 0;
            if (options.resume() != null) {
                Checkpoint.Loaded ck = options.resume();
                restore(net, step, counters, replay, ck);
                startEpoch = ck.state().epoch();
                startBatch = ck.state().batchInEpoch();
                log.info("resumed from %s at epoch %d, batch %d", ck.dir(), startEpoch + 1, startBatch);
            } else {
                net.initialise(config.seed());
            }
            run.writeRealImages(train);
            logHeader(layout, batchesPerEpoch);

            Timing timing = new Timing(TrainStep.flopsPerStep(net, config, batch),
                    TrainStep.flopsPerLangevinStep(net, batch));
            List<EpochMetrics> history = new ArrayList<>(run.restoreMetrics(startEpoch));
            int globalBatch = startEpoch * batchesPerEpoch + startBatch;
            Path lastCheckpoint = options.resume() == null ? null : options.resume().dir();
            long runStart = System.nanoTime();
            boolean stopped = false;
            int lastRows = batch;

            for (int epoch = startEpoch; epoch < config.epochs() && !stopped; epoch++) {
                long epochStart = System.nanoTime();
                data.setOrder(Shuffle.permutation(n, config.seed(), epoch));
                int first = epoch == startEpoch ? startBatch : 0;
                setCursor(counters, first * batch);
                if (replay != null) {
                    replay.prepareEpoch(epoch, batchesPerEpoch, first, (long) epoch * batchesPerEpoch);
                }
                backend.fill(stats, LossStats.SIZE, 0f);
                StatsWindow epochStats = new StatsWindow();
                int doneInEpoch = first;
                long intervalStart = System.nanoTime();
                int intervalImages = 0;

                for (int b = first; b < batchesPerEpoch; b++) {
                    int rows = Math.min(batch, n - b * batch);
                    data.enqueue(step, rows);
                    lastRows = rows;
                    doneInEpoch = b + 1;
                    globalBatch++;
                    intervalImages += rows;
                    timing.countStep(rows, config.langevinSteps());
                    boolean last = b == batchesPerEpoch - 1;
                    boolean budgetSpent = options.maxBatches() > 0 && globalBatch >= options.maxBatches();
                    boolean checkpointDue = options.checkpointEvery() > 0 && globalBatch % options.checkpointEvery() == 0;
                    // statistics are always checked before a checkpoint, so no checkpoint holds a diverged state
                    if (last || budgetSpent || stopRequested || checkpointDue || doneInEpoch % options.logEvery() == 0) {
                        StatsWindow window = drainStats(stats);
                        epochStats.add(window);
                        checkFinite(window, globalBatch, lastCheckpoint);
                        double seconds = (System.nanoTime() - intervalStart) / 1e9;
                        log.progress(ProgressBar.line(epoch + 1, config.epochs(), doneInEpoch, batchesPerEpoch,
                                window.mean(LossStats.LOSS), window.accuracy(), intervalImages / seconds));
                        intervalStart = System.nanoTime();
                        intervalImages = 0;
                    }
                    if (checkpointDue && !last) {
                        lastCheckpoint = save(run, net, step, counters, replay, epoch, doneInEpoch, globalBatch);
                    }
                    if (budgetSpent || stopRequested) {
                        stopped = true;
                        break;
                    }
                }
                double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
                timing.addPhases(step.timer().drainMillis());

                long evalStart = System.nanoTime();
                Classification eval = Classification.of(Scoring.scores(net, test.images(), test.count()),
                        test.labels(), test.count(), Dataset.CLASSES, config.energySign().sign());
                timing.addEvaluation((System.nanoTime() - evalStart) / 1e6);

                boolean epochDone = doneInEpoch == batchesPerEpoch;
                EpochMetrics m = new EpochMetrics(epoch + 1, epochStats.batches(), epochStats.mean(LossStats.LOSS),
                        epochStats.mean(LossStats.CLF), epochStats.mean(LossStats.GEN),
                        epochStats.mean(LossStats.E_REAL), epochStats.mean(LossStats.E_SAMPLE),
                        epochStats.accuracy(), eval.crossEntropy(), eval.accuracy(), eval.meanEnergy(), eval.ece(),
                        (doneInEpoch - first) * (double) batch / trainSeconds, trainSeconds);
                history.add(m);
                run.appendMetrics(m);
                log.info("Epoch %d/%d%s: loss %.4f (clf %.4f, gen %.4f) E_real %.3f E_sample %.3f train acc %.4f"
                                + " | test loss %.4f acc %.4f ECE %.4f | %.1f img/s",
                        epoch + 1, config.epochs(), epochDone ? "" : " (partial, " + doneInEpoch + " batches)",
                        m.trainLoss(), m.trainClf(), m.trainGen(), m.energyReal(), m.energySample(),
                        m.trainAccuracy(), m.testLoss(), m.testAccuracy(), m.testEce(), m.imagesPerSecond());
                log.info("%s", timing.epochLine(epoch + 1));

                float[] samples = downloadSamples(step, lastRows);
                if ((epoch + 1) % config.figureEvery() == 0) {
                    run.writeGeneratedImages(epoch + 1, samples, lastRows);
                }
                run.writeLossCurves(history);
                lastCheckpoint = epochDone
                        ? save(run, net, step, counters, replay, epoch + 1, 0, globalBatch)
                        : save(run, net, step, counters, replay, epoch, doneInEpoch, globalBatch);
                if (epoch + 1 == config.epochs() || stopped) {
                    run.writeFinalImages(samples, lastRows);
                }
            }
            run.writeTiming(timing, backend.describe());
            RunReport.write(run, config, backend.describe(), history);
            log.info("run took %.1f s", (System.nanoTime() - runStart) / 1e9);
            return new Summary(history, globalBatch, timing.imagesPerSecond(), timing, stopped, lastCheckpoint);
        }
    }

    private void logHeader(ParameterLayout layout, int batchesPerEpoch) {
        log.info("ebm4j training on %s", backend.describe());
        log.info("model %s: %,d parameters; %d training images, %d test images, %d batches per epoch",
                java.util.Arrays.toString(layout.widths()), layout.size(), train.count(), test.count(),
                batchesPerEpoch);
        Map<String, String> p = new LinkedHashMap<>(config.toProperties());
        log.info("config %s", p);
    }

    private float[] downloadSamples(TrainStep step, int rows) {
        Buf s = step.lastSamples(rows);
        float[] out = new float[rows * Dataset.PIXELS];
        backend.download(out, 0, s, 0, out.length);
        return out;
    }

    private StatsWindow drainStats(Buf stats) {
        float[] sums = new float[LossStats.SIZE];
        backend.download(sums, 0, stats, 0, LossStats.SIZE);
        backend.fill(stats, LossStats.SIZE, 0f);
        StatsWindow w = new StatsWindow();
        w.add(sums);
        return w;
    }

    private void checkFinite(StatsWindow window, int globalBatch, Path lastCheckpoint) {
        String problem = null;
        if (!window.finite()) {
            problem = "non-finite loss or energy";
        } else if (Math.abs(window.mean(LossStats.E_REAL)) > options.energyBound()
                || Math.abs(window.mean(LossStats.E_SAMPLE)) > options.energyBound()) {
            problem = String.format(java.util.Locale.ROOT, "mean energies %.4g / %.4g beyond the bound %.4g",
                    window.mean(LossStats.E_REAL), window.mean(LossStats.E_SAMPLE), options.energyBound());
        }
        if (problem != null) {
            throw new DivergenceException("training diverged by batch " + globalBatch + ": " + problem
                    + (lastCheckpoint == null ? "" : "; the last good checkpoint is " + lastCheckpoint)
                    + "; try --on-divergence rollback, a lower --lr or --langevin-alpha, or --energy-l2 0.1",
                    lastCheckpoint);
        }
    }

    private void setCursor(IntBuf counters, int cursor) {
        int[] c = backend.downloadInt(counters);
        c[Counters.CURSOR] = cursor;
        backend.uploadInt(counters, 0, c, 0, c.length);
    }

    /** The persistent-chain pool when the config asks for one (joint objective only), else null. */
    private ReplayBuffer replayBuffer(int batch) {
        if (config.replaySize() == 0 || config.objective() != TrainConfig.Objective.JOINT) {
            return null;
        }
        return new ReplayBuffer(backend, config.replaySize(), config.replayReinit(), batch, Dataset.PIXELS,
                config.seed());
    }

    private void restore(EnergyNet net, TrainStep step, IntBuf counters, ReplayBuffer replay, Checkpoint.Loaded ck) {
        if (!java.util.Arrays.equals(ck.layout().widths(), net.layout().widths())) {
            throw new UserException("checkpoint " + ck.dir() + " has layers " + java.util.Arrays.toString(ck.layout().widths())
                    + " but the config asks for " + java.util.Arrays.toString(net.layout().widths()));
        }
        if (ck.state() == null) {
            throw new UserException("checkpoint " + ck.dir() + " holds weights only; --resume needs a training checkpoint");
        }
        backend.upload(net.params(), ck.params());
        backend.upload(step.adamM(), ck.state().adamM());
        backend.upload(step.adamV(), ck.state().adamV());
        backend.uploadInt(counters, 0, ck.state().counters(), 0, Counters.SIZE);
        if (replay != null) {
            if (ck.state().replay() == null) {
                throw new UserException("checkpoint " + ck.dir() + " has no replay buffer but replay_size is "
                        + config.replaySize());
            }
            replay.restore(ck.state().replay());
        }
    }

    private Path save(RunFolder run, EnergyNet net, TrainStep step, IntBuf counters, ReplayBuffer replay, int epoch,
                      int batchInEpoch, int globalBatch) throws IOException {
        Checkpoint.TrainState state = new Checkpoint.TrainState(backend.download(step.adamM()),
                backend.download(step.adamV()), backend.downloadInt(counters), epoch, batchInEpoch,
                replay == null ? null : replay.contents());
        float[] params = backend.download(net.params());
        for (float p : params) {
            if (!Float.isFinite(p)) {
                throw new DivergenceException("training diverged by batch " + globalBatch + ": non-finite weights"
                        + "; not saving them over the last good checkpoint", Checkpoint.newest(run.checkpoints()));
            }
        }
        Path dir = run.checkpoints().resolve(String.format("step-%09d", globalBatch));
        Checkpoint.save(dir, net.layout(), params, config, state);
        Checkpoint.prune(run.checkpoints(), options.keepCheckpoints());
        return dir;
    }
}
