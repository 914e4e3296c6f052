package ebm4j.train;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.model.Checkpoint;
import ebm4j.model.EnergyModel;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import java.util.Arrays;

/**
 * Everything a training run keeps on the device, with one owner: the model, the counters (Philox
 * step, Adam step, batch cursor), the loss statistics, the resident training set, the persistent
 * chains and the step that uses them all. It restores itself from a checkpoint and takes the
 * snapshot a checkpoint saves, so the two cannot disagree about what a run's state is.
 */
final class TrainingState implements AutoCloseable {
    final Backend backend;
    final EnergyModel model;
    final IntBuf counters;
    final Buf stats;
    final ResidentData data;
    final ChainPools chains;
    final TrainStep step;

    /** @param runSteps batches in the whole run (the linear lr schedule's horizon) */
    TrainingState(Backend backend, TrainConfig config, Dataset train, long runSteps) {
        this.backend = backend;
        ModelSpec spec = ModelSpec.of(config, train.shape(), train.classes());
        int batch = config.batchSize();
        EnergyModel m = null;
        IntBuf c = null;
        Buf s = null;
        ResidentData d = null;
        ChainPools r = null;
        try {
            m = Models.create(backend, spec, config.passBatches() * batch);
            c = backend.allocInt(Counters.SIZE);
            s = backend.alloc(LossStats.SIZE);
            d = new ResidentData(backend, train);
            r = usesReplay(config) ? new ChainPools(backend, config, spec.inputs(), spec.classes()) : null;
            step = new TrainStep(m, config, c, s, r, runSteps);
        } catch (RuntimeException | Error e) {
            closeAll(e, r, d, s, c, m);
            throw e;
        }
        model = m;
        counters = c;
        stats = s;
        data = d;
        chains = r;
    }

    /** The persistent-chain pool is used when the config asks for one (joint objective only). */
    static boolean usesReplay(TrainConfig config) {
        return config.replaySize() > 0 && config.objective() == TrainConfig.Objective.JOINT;
    }

    /** Loads a training checkpoint's weights, Adam moments, counters and pool. */
    void restore(Checkpoint.Loaded ck) {
        if (!ck.spec().equals(model.spec())) {
            throw new UserException("checkpoint " + ck.dir() + " holds " + describe(ck.spec())
                    + " but the run needs " + describe(model.spec()));
        }
        if (ck.state() == null) {
            throw new UserException("checkpoint " + ck.dir() + " holds weights only; --resume needs a training checkpoint");
        }
        backend.upload(model.params(), ck.params());
        backend.upload(step.adamM(), ck.state().adamM());
        backend.upload(step.adamV(), ck.state().adamV());
        backend.uploadInt(counters, 0, ck.state().counters(), 0, Counters.SIZE);
        if (chains != null) {
            if (ck.state().replay() == null) {
                throw new UserException("checkpoint " + ck.dir() + " has no replay buffer but replay_size is "
                        + chains.size());
            }
            chains.restore(ck.state().replay(), ck.state().noiseChains());
        }
    }

    private static String describe(ModelSpec spec) {
        return Models.type(spec.kind()).describe(spec) + " on " + spec.input() + " images";
    }

    /** The state a checkpoint at this point saves. */
    Checkpoint.TrainState snapshot(int epoch, int batchInEpoch) {
        return new Checkpoint.TrainState(backend.download(step.adamM()), backend.download(step.adamV()),
                backend.downloadInt(counters), epoch, batchInEpoch, chains == null ? null : chains.poolContents(),
                chains == null ? null : chains.shortLivedContents());
    }

    /** Sets the batch cursor (the position in the epoch's permutation) to {@code cursor}. */
    void setCursor(int cursor) {
        int[] c = backend.downloadInt(counters);
        c[Counters.CURSOR] = cursor;
        backend.uploadInt(counters, 0, c, 0, c.length);
    }

    /** The negatives of the last step, (rows, inputs), on the host. */
    float[] lastSamples(int rows) {
        float[] out = new float[rows * model.inputs()];
        backend.download(out, 0, step.lastSamples(rows), 0, out.length);
        return out;
    }

    /** The loss statistics queued since the last read, then zeroed on the device. */
    StatsWindow drainStats() {
        float[] sums = new float[LossStats.SIZE];
        backend.download(sums, 0, stats, 0, LossStats.SIZE);
        backend.fill(stats, LossStats.SIZE, 0f);
        StatsWindow w = new StatsWindow();
        w.add(sums);
        return w;
    }

    @Override
    public void close() {
        closeAll(null, step, chains, data, stats, counters, model);
    }

    /** Closes in order; the first failure is thrown (or added to {@code pending}) after all were tried. */
    static void closeAll(Throwable pending, AutoCloseable... resources) {
        RuntimeException first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (pending != null) {
                    pending.addSuppressed(e);
                } else if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "TrainingState" + Arrays.asList(model.spec(), chains == null ? "no pool" : "pool " + chains.size());
    }
}
