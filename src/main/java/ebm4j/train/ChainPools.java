package ebm4j.train;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.IntBuf;
import ebm4j.config.TrainConfig;

/**
 * Where a training step's negatives start and return to: the persistent pool, and, with {@code
 * noise_chains}, a short-lived pool of class-conditional chains that start from uniform noise and
 * restart after exactly {@code noise_chain_life} Langevin steps.
 *
 * <p>Why the second pool: a chain of the persistent pool lives for hundreds of steps, so the energy
 * is shaped where long chains go and barely between noise and the digits; a sampler started from
 * noise then crosses untrained ground. The short-lived chains walk exactly that path, class by class,
 * and their end states are negatives like any other (the loss does not change: a chain of class y
 * drawn with y uniform samples the model's p(x) when its classes are balanced). A step's negatives
 * are {@code [pool rows; short-lived rows]}, the short-lived ones last, on full batches only (a short
 * last batch of an epoch takes all its negatives from the pool).
 */
public final class ChainPools implements AutoCloseable {
    private final int batch;
    private final int inputs;
    private final ReplayBuffer pool;
    /** The short-lived chains, or null without noise_chains. */
    private final ReplayBuffer shortLived;
    /** dE/dscores of the short-lived rows' class-conditional energy: sign * onehot(row mod classes). */
    private final Buf classGrad;
    private final int shortRows;

    /** The pools a training config asks for (it must use a pool: replay_size > 0). */
    public ChainPools(Backend backend, TrainConfig config, int inputs, int classes) {
        requireBalanced(config, classes);
        this.batch = config.batchSize();
        this.inputs = inputs;
        this.shortRows = config.noiseChains();
        long seed = config.seed();
        ReplayBuffer.Reinit reinit = new ReplayBuffer.Reinit(config.replayReinit(), config.replayReinitFinal(),
                config.epochs() - 1);
        ReplayBuffer p = null;
        ReplayBuffer s = null;
        Buf g = null;
        try {
            if (shortRows == 0) {
                p = new ReplayBuffer(backend, config.replaySize(), reinit, batch, inputs, seed);
            } else {
                p = ReplayBuffer.sharing(backend, config.replaySize(), reinit, batch - shortRows, batch,
                        inputs, seed);
                s = ReplayBuffer.fixedLife(backend, shortRows, config.noiseChainLife() / config.langevinSteps(),
                        batch, inputs, seed);
                g = backend.alloc((long) shortRows * classes);
                float[] onehot = new float[shortRows * classes];
                for (int r = 0; r < shortRows; r++) {
                    onehot[r * classes + r % classes] = config.energySign().sign();
                }
                backend.upload(g, onehot);
            }
        } catch (RuntimeException | Error e) {
            TrainingState.closeAll(e, g, s, p);
            throw e;
        }
        pool = p;
        shortLived = s;
        classGrad = g;
    }

    /**
     * The short-lived chains take classes row by row (class = row mod classes), so their number
     * must be a multiple of the classes for every class to have as many chains. Checked before a
     * run's folder is created ({@link RunPlan#check}), since only the data set knows the classes.
     */
    static void requireBalanced(TrainConfig config, int classes) {
        if (config.noiseChains() % classes != 0) {
            throw new UserException("noise_chains (" + config.noiseChains() + ") must be a multiple of the " + classes
                    + " classes, so that every class has as many chains");
        }
    }

    /** Rows the persistent pool of this config holds (what its checkpoints save). */
    static int poolRows(TrainConfig config) {
        return ReplayBuffer.rows(config.replaySize(), config.batchSize() - config.noiseChains());
    }

    /** See {@link ReplayBuffer#prepareEpoch}. */
    public void prepareEpoch(int epoch, int batches, int firstBatch, long globalFirst) {
        pool.prepareEpoch(epoch, batches, firstBatch, globalFirst);
        if (shortLived != null) {
            shortLived.prepareEpoch(epoch, batches, firstBatch, globalFirst);
        }
    }

    /** The last rows of a step of {@code rows} negatives that follow a class-conditional energy. */
    int conditionalRows(int rows) {
        return shortLived != null && rows == batch ? shortRows : 0;
    }

    /** dE/dscores of the {@link #conditionalRows}, or null when there are none. */
    Buf classGrad(int rows) {
        return conditionalRows(rows) > 0 ? classGrad : null;
    }

    /** Queues the chains' start states into negatives (rows, inputs); see {@link ReplayBuffer#startChains}. */
    void start(Buf negatives, int rows, IntBuf stepCounters) {
        pool.startChains(negatives, rows, stepCounters);
        int c = conditionalRows(rows);
        if (c > 0) {
            shortLived.startChains(shortSlice(negatives, rows), c, stepCounters);
        }
    }

    /** Queues the chains' end states back to their pools. */
    void keep(Buf negatives, int rows) {
        pool.keepChains(negatives, rows);
        int c = conditionalRows(rows);
        if (c > 0) {
            shortLived.keepChains(shortSlice(negatives, rows), c);
        }
    }

    private Buf shortSlice(Buf negatives, int rows) {
        return negatives.slice((long) (rows - shortRows) * inputs, (long) shortRows * inputs);
    }

    /** Rows in the persistent pool. */
    public int size() {
        return pool.size();
    }

    /** The persistent pool's rows, for checkpoints. */
    public float[] poolContents() {
        return pool.contents();
    }

    /** The short-lived pool's rows, for checkpoints, or null without noise_chains. */
    public float[] shortLivedContents() {
        return shortLived == null ? null : shortLived.contents();
    }

    /** Loads both pools' rows (shortLivedRows is ignored without noise_chains; ResumeCheck matched the sizes). */
    void restore(float[] poolRows, float[] shortLivedRows) {
        pool.restore(poolRows);
        if (shortLived != null) {
            shortLived.restore(shortLivedRows);
        }
    }

    @Override
    public void close() {
        try (ReplayBuffer p = pool; ReplayBuffer s = shortLived; Buf g = classGrad) {
            // closed in reverse order by try-with-resources; null resources are skipped
        }
    }
}
