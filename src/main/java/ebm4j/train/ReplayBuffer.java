package ebm4j.train;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Philox;

/**
 * Persistent Langevin chains: a pool of {@code size} sample images that chains start from and
 * return to, so a chain runs for many training steps instead of 50 steps from noise. A step takes
 * {@code chains} rows of the pool; which of them restart from fresh uniform noise is the pool's
 * {@link Restarts} rule: each with the probability its {@link Reinit} gives for the epoch (the main
 * pool), or every chain after a fixed number of uses (the short-lived pool of chains from noise,
 * see {@link #fixedLife}).
 *
 * <p>Built only from Backend ops that read their positions from device counters, so it works on
 * both backends and inside a captured CUDA graph. The pool buffer holds {@code size} rows, then
 * {@code stride} scratch rows. Each step:
 * <ol>
 *   <li>the scratch rows get fresh uniform noise;</li>
 *   <li>the negatives are gathered from the pool through a read index (a pool slot, or a scratch
 *       row for the rows that restart), at the data cursor;</li>
 *   <li>after the chain the negatives are scattered back into the step's slot through a write
 *       index, at the buffer's own cursor, which then advances by one batch.</li>
 * </ol>
 * The indexes hold {@code stride} entries per step (the data batch, since the data cursor
 * addresses them); entries past {@code chains} read and write scratch rows, so the rows of a
 * step beyond the pool's share (the short-lived chains' rows) never reach the pool.
 * Steps use the pool's {@code size / chains} slots in turn. The read and write indexes (one entry
 * per row of each step: 2 x 60,000 ints for an MNIST epoch) are pure functions of (seed, epoch),
 * computed on the host and uploaded once per epoch, so a resumed run rebuilds them exactly; the
 * pool itself is saved in checkpoints. (The write-back used to re-gather the whole pool through a
 * size-per-step index: ~31 MB copied per batch and a 37 MB index per epoch.)
 */
public final class ReplayBuffer implements AutoCloseable {
    /** Philox streams of the main pool: its initial contents, per-step fresh rows, reinit choices. */
    static final int INIT_STREAM = 3, FRESH_STREAM = 4, CHOICE_STREAM = 5;
    /** Philox streams of the short-lived pool: its initial contents, per-step fresh rows. */
    static final int SHORT_INIT_STREAM = 7, SHORT_FRESH_STREAM = 8;

    /** Which rows of a step restart from noise. */
    private interface Restarts {
        /**
         * @param epoch the step's epoch (from 0)
         * @param use   how many times the slot was used before this step
         * @param slot  the step's slot
         * @param u     a uniform draw in [0, 1) for this row of this step
         */
        boolean restarts(int epoch, long use, int slot, float u);
    }

    /**
     * The main pool's restart probability: {@code usual} in every epoch but {@code lastEpoch}
     * (from 0), which has {@code last}. A chain that lives long drifts where the energy is lowest,
     * which is not always where the digits are; restarting more of them in the last epoch leaves
     * the saved pool younger chains, and the pool is what sampling starts from.
     */
    public record Reinit(float usual, float last, int lastEpoch) {
        /** The same probability in every epoch. */
        static Reinit constant(float p) {
            return new Reinit(p, p, 0);
        }

        public float at(int epoch) {
            return epoch == lastEpoch ? last : usual;
        }
    }

    private final Backend backend;
    private final int size;
    private final int chains;
    private final int stride;
    private final int inputs;
    private final Restarts restarts;
    private final long seed;
    private final int freshStream;
    private final int slots;
    private final Buf pool;
    private final Buf scratch;
    private final IntBuf counters;
    private IntBuf readIndex;
    private IntBuf writeIndex;

    /** The main pool: every row of a step is a pool chain that restarts with the probability of {@code reinit}. */
    public ReplayBuffer(Backend backend, int size, Reinit reinit, int batch, int inputs, long seed) {
        this(backend, size, batch, batch, inputs, seed, byProbability(reinit), INIT_STREAM, FRESH_STREAM);
    }

    /**
     * The main pool when the last {@code batch - chains} rows of each step are short-lived chains:
     * the pool supplies the first {@code chains} rows of a step.
     */
    public static ReplayBuffer sharing(Backend backend, int size, Reinit reinit, int chains, int batch, int inputs,
                                       long seed) {
        return new ReplayBuffer(backend, size, chains, batch, inputs, seed, byProbability(reinit), INIT_STREAM,
                FRESH_STREAM);
    }

    /** The main pool's rule: a row restarts when its uniform draw falls below the epoch's probability. */
    private static Restarts byProbability(Reinit reinit) {
        return (epoch, use, slot, u) -> u < reinit.at(epoch);
    }

    /**
     * The short-lived pool: {@code chains} rows per step, each chain restarting from noise after
     * exactly {@code uses} steps, in {@code uses} slots whose ages are staggered so that a step's
     * chains are as often young as old (slot s restarts at its uses number k with (k + s) % uses
     * == 0).
     */
    public static ReplayBuffer fixedLife(Backend backend, int chains, int uses, int batch, int inputs, long seed) {
        return new ReplayBuffer(backend, chains * uses, chains, batch, inputs, seed,
                (epoch, use, slot, u) -> (use + slot) % uses == 0, SHORT_INIT_STREAM, SHORT_FRESH_STREAM);
    }

    private ReplayBuffer(Backend backend, int size, int chains, int stride, int inputs, long seed, Restarts restarts,
                         int initStream, int freshStream) {
        if (chains < 1 || chains > stride) {
            throw new IllegalArgumentException(chains + " pool chains per step of " + stride + " rows");
        }
        if (size < chains) {
            throw new ebm4j.UserException("replay_size (" + size + ") must be at least the pool's chains per step ("
                    + chains + ")");
        }
        this.backend = backend;
        this.size = rows(size, chains);
        this.chains = chains;
        this.stride = stride;
        this.inputs = inputs;
        this.restarts = restarts;
        this.seed = seed;
        this.freshStream = freshStream;
        this.slots = this.size / chains;
        pool = backend.alloc((long) (this.size + stride) * inputs);
        scratch = pool.slice((long) this.size * inputs, (long) stride * inputs);
        counters = backend.allocInt(Counters.SIZE); // zeros: Philox step 0 for the initial contents
        backend.uniformFill(pool, (long) this.size * inputs, -1f, 1f, seed, counters, initStream);
    }

    /** Rows a pool of {@code size} holds with {@code chains} pool rows per step: whole slots only. */
    public static int rows(int size, int chains) {
        return size / chains * chains;
    }

    /** Rows in the pool (a whole number of steps' chains). */
    public int size() {
        return size;
    }

    /**
     * Builds and uploads the epoch's read and write indexes for {@code batches} steps of which the
     * first {@code firstBatch} are already done, numbering steps globally from {@code globalFirst}
     * (the global index of the epoch's batch 0) so slots keep rotating across epochs.
     */
    public void prepareEpoch(int epoch, int batches, int firstBatch, long globalFirst) {
        int[] read = new int[batches * stride];
        int[] write = new int[batches * stride];
        float[] u = new float[batches * stride];
        Philox.uniforms(seed, epoch, CHOICE_STREAM, 0, u, u.length, 0f, 1f);
        for (int b = 0; b < batches; b++) {
            long step = globalFirst + b;
            int slot = (int) Math.floorMod(step, (long) slots);
            long use = Math.floorDiv(step, (long) slots);
            for (int r = 0; r < stride; r++) {
                int i = b * stride + r;
                if (r >= chains) { // not the pool's row: scratch in, scratch out
                    read[i] = size + r;
                    write[i] = size + r;
                } else {
                    read[i] = restarts.restarts(epoch, use, slot, u[i]) ? size + r : slot * chains + r;
                    write[i] = slot * chains + r;
                }
            }
        }
        close(readIndex);
        close(writeIndex);
        readIndex = backend.allocInt(read.length);
        writeIndex = backend.allocInt(write.length);
        backend.uploadInt(readIndex, 0, read, 0, read.length);
        backend.uploadInt(writeIndex, 0, write, 0, write.length);
        int[] c = new int[Counters.SIZE];
        c[Counters.CURSOR] = firstBatch * stride;
        backend.uploadInt(counters, 0, c, 0, c.length);
    }

    /**
     * Queues: fresh noise into the scratch rows, then negatives (rows, inputs) = the chains' start
     * states. {@code stepCounters} are the training step's counters (their cursor is still at this
     * batch's first row, and their Philox step keys the fresh noise).
     */
    public void startChains(Buf negatives, int rows, IntBuf stepCounters) {
        backend.uniformFill(scratch, (long) stride * inputs, -1f, 1f, seed, stepCounters, freshStream);
        backend.gatherRows(negatives, null, pool, null, readIndex, stepCounters, rows, inputs);
    }

    /** Queues: the chains' end states return to their slot; advances the write cursor. */
    public void keepChains(Buf negatives, int rows) {
        backend.scatterRows(pool, negatives, writeIndex, counters, rows, inputs);
        backend.increment(counters, Counters.CURSOR, stride);
    }

    /** The pool's rows, for checkpoints. */
    public float[] contents() {
        float[] out = new float[size * inputs];
        backend.download(out, 0, pool, 0, out.length);
        return out;
    }

    public void restore(float[] rows) {
        if (rows.length != size * inputs) {
            throw new ebm4j.UserException("the checkpoint's replay buffer holds " + rows.length / inputs
                    + " rows but replay_size asks for " + size);
        }
        backend.upload(pool, 0, rows, 0, rows.length);
    }

    private static void close(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        close(readIndex);
        close(writeIndex);
        counters.close();
        pool.close();
    }
}
