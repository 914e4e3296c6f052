package ebm4j.train;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Philox;

/**
 * Persistent Langevin chains: a pool of {@code size} sample images that chains start from and
 * return to, so a chain runs for many training steps instead of 50 steps from noise. Each row of
 * a batch restarts from fresh uniform noise with probability {@code reinit}.
 *
 * <p>Built only from Backend ops that read their positions from device counters, so it works on
 * both backends and inside a captured CUDA graph. The pool buffer holds {@code size} rows, then
 * {@code batch} scratch rows. Each step:
 * <ol>
 *   <li>the scratch rows get fresh uniform noise;</li>
 *   <li>the negatives are gathered from the pool through a read index (a pool slot, or a scratch
 *       row for the rows that restart), at the data cursor;</li>
 *   <li>after the chain the negatives are scattered back into the step's slot through a write
 *       index, at the buffer's own cursor, which then advances by one batch.</li>
 * </ol>
 * Steps use the pool's {@code size / batch} slots in turn. The read and write indexes (one entry
 * per row of each step: 2 x 60,000 ints for an MNIST epoch) are pure functions of (seed, epoch),
 * computed on the host and uploaded once per epoch, so a resumed run rebuilds them exactly; the
 * pool itself is saved in checkpoints. (The write-back used to re-gather the whole pool through a
 * size-per-step index: ~31 MB copied per batch and a 37 MB index per epoch.)
 */
public final class ReplayBuffer implements AutoCloseable {
    /** Philox streams of the buffer: its initial contents, per-step fresh rows, reinit choices. */
    static final int INIT_STREAM = 3, FRESH_STREAM = 4, CHOICE_STREAM = 5;

    private final Backend backend;
    private final int size;
    private final int batch;
    private final int inputs;
    private final float reinit;
    private final long seed;
    private final int slots;
    private final Buf pool;
    private final Buf scratch;
    private final IntBuf counters;
    private IntBuf readIndex;
    private IntBuf writeIndex;

    public ReplayBuffer(Backend backend, int size, float reinit, int batch, int inputs, long seed) {
        if (size < batch) {
            throw new ebm4j.UserException("replay_size (" + size + ") must be at least the batch size (" + batch + ")");
        }
        this.backend = backend;
        this.size = rows(size, batch);
        this.batch = batch;
        this.inputs = inputs;
        this.reinit = reinit;
        this.seed = seed;
        this.slots = this.size / batch;
        pool = backend.alloc((long) (this.size + batch) * inputs);
        scratch = pool.slice((long) this.size * inputs, (long) batch * inputs);
        counters = backend.allocInt(Counters.SIZE); // zeros: Philox step 0 for the initial contents
        backend.uniformFill(pool, (long) this.size * inputs, -1f, 1f, seed, counters, INIT_STREAM);
    }

    /** Rows a pool of {@code size} holds with batches of {@code batch}: whole slots only. */
    public static int rows(int size, int batch) {
        return size / batch * batch;
    }

    /** Rows in the pool (a whole number of batches). */
    public int size() {
        return size;
    }

    /**
     * Builds and uploads the epoch's read and write indexes for {@code batches} steps of which the
     * first {@code firstBatch} are already done, numbering steps globally from {@code globalFirst}
     * (the global index of the epoch's batch 0) so slots keep rotating across epochs.
     */
    public void prepareEpoch(int epoch, int batches, int firstBatch, long globalFirst) {
        int[] read = new int[batches * batch];
        int[] write = new int[batches * batch];
        float[] u = new float[batches * batch];
        Philox.uniforms(seed, epoch, CHOICE_STREAM, 0, u, u.length, 0f, 1f);
        for (int b = 0; b < batches; b++) {
            int slot = (int) Math.floorMod(globalFirst + b, (long) slots);
            for (int r = 0; r < batch; r++) {
                read[b * batch + r] = u[b * batch + r] < reinit ? size + r : slot * batch + r;
                write[b * batch + r] = slot * batch + r;
            }
        }
        close(readIndex);
        close(writeIndex);
        readIndex = backend.allocInt(read.length);
        writeIndex = backend.allocInt(write.length);
        backend.uploadInt(readIndex, 0, read, 0, read.length);
        backend.uploadInt(writeIndex, 0, write, 0, write.length);
        int[] c = new int[Counters.SIZE];
        c[Counters.CURSOR] = firstBatch * batch;
        backend.uploadInt(counters, 0, c, 0, c.length);
    }

    /**
     * Queues: fresh noise into the scratch rows, then negatives (rows, inputs) = the chains' start
     * states. {@code stepCounters} are the training step's counters (their cursor is still at this
     * batch's first row, and their Philox step keys the fresh noise).
     */
    public void startChains(Buf negatives, int rows, IntBuf stepCounters) {
        backend.uniformFill(scratch, (long) batch * inputs, -1f, 1f, seed, stepCounters, FRESH_STREAM);
        backend.gatherRows(negatives, null, pool, null, readIndex, stepCounters, rows, inputs);
    }

    /** Queues: the chains' end states return to their slot; advances the write cursor. */
    public void keepChains(Buf negatives, int rows) {
        backend.scatterRows(pool, negatives, writeIndex, counters, rows, inputs);
        backend.increment(counters, Counters.CURSOR, batch);
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
