package ebm4j.sample;

import ebm4j.compute.Buf;
import ebm4j.compute.IntBuf;
import ebm4j.model.EnergyModel;

/**
 * The sampler seam: moves images towards low energy under a model, on the model's backend, with
 * every op queued (nothing read back), so a training step that samples can still be captured as
 * one CUDA graph. The target is the image energy E(x) = sign * LSE(s(x)), or, for a chain of
 * given classes, E(x, y) = sign * s_y(x). {@code SamplerContractTest} holds every registered
 * sampler to this contract.
 *
 * <p>Random streams: a chain draws at the Philox step held in the counters buffer (the caller
 * advances it), from {@link #INIT_STREAM} for a uniform start and {@code STEP_STREAM + t} for
 * step t, so a chain is a pure function of (model, seed, step, start).
 */
public interface Sampler extends AutoCloseable {
    /** Philox stream of a chain's uniform-noise start. */
    int INIT_STREAM = 1;
    /** Philox stream of step 0's noise; step t uses STEP_STREAM + t. */
    int STEP_STREAM = 16;

    EnergyModel model();

    SamplerSpec spec();

    /**
     * Runs the chain on x (rows, inputs) in place, from its current contents, and clamps the result
     * to [-1, 1].
     *
     * @param classGrad null for the image energy; else (rows, outputs) holding sign * onehot(y) per
     *                  row, the fixed dE/dscores of the class-conditional energy
     */
    void refine(Buf x, int rows, Buf classGrad, long seed, IntBuf counters);

    /**
     * {@link #refine} with the two energies side by side in one chain: the first {@code rows -
     * conditionalRows} rows move on the image energy, the last {@code conditionalRows} on the
     * class-conditional energy whose dE/dscores classGrad (conditionalRows, outputs) holds. Each
     * row ends as it would in a chain of its own kind (up to the rounding of a product over more
     * rows), and the noise of row r is the same as in {@link #refine} over the same rows.
     */
    void refinePartlyConditional(Buf x, int rows, int conditionalRows, Buf classGrad, long seed, IntBuf counters);

    /** Starts x (rows, inputs) from uniform noise in [-1, spec().startMax()], then {@link #refine}s it. */
    default void sample(Buf x, int rows, Buf classGrad, long seed, IntBuf counters) {
        model().backend().uniformFill(x, (long) rows * model().inputs(), -1f, spec().startMax(), seed, counters,
                INIT_STREAM);
        refine(x, rows, classGrad, seed, counters);
    }

    /** Frees the sampler's own workspace (not the model, not the caller's buffers). */
    @Override
    void close();
}
