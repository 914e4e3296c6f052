package ebm4j.compute;

/**
 * The compute seam. {@code EnergyNet}, {@code LangevinSampler} and {@code Trainer} are written
 * once against this interface; {@code CpuBackend} is the reference and {@code CudaBackend} must
 * match it op for op (see the Backend contract tests).
 *
 * <p>Conventions: matrices are row-major float32; shapes are given as (rows, cols). Outputs come
 * first, inputs next, sizes last. No op reads a result back to the host except the explicit
 * {@code download} calls, so a sequence of ops can be captured as a CUDA graph and replayed.
 * Values that change from one training step to the next (RNG step, Adam step, batch cursor) live
 * in {@link IntBuf} counters that ops read from memory, so a captured step replays unchanged;
 * host-side arguments may change at any time (see {@link #repeatable}).
 *
 * <p>Randomness: every random op draws from Philox4x32-10 with key {@code seed} and counter
 * {@code (i/4, step lo, step hi, stream)}, where {@code step} is read from {@code counters[0..1]}
 * (see {@link Counters}) and {@code stream} is a per-call constant chosen by the caller, so the CPU
 * and GPU draw the same numbers (see {@code ebm4j.compute.Philox}).
 */
public interface Backend extends AutoCloseable {

    /** "cpu" or "cuda". */
    String name();

    /** One line for run headers: device, threads, GEMM implementation. */
    String describe();

    // ---- memory -------------------------------------------------------------------------

    /** Zero-filled float buffer of {@code n} elements. */
    Buf alloc(long n);

    /** Zero-filled int buffer of {@code n} elements. */
    IntBuf allocInt(long n);

    /** dst[dstOff .. dstOff+n) = src[srcOff .. srcOff+n). Synchronous. */
    void upload(Buf dst, long dstOff, float[] src, int srcOff, int n);

    void uploadInt(IntBuf dst, long dstOff, int[] src, int srcOff, int n);

    /** dst[dstOff .. dstOff+n) = src[srcOff .. srcOff+n). Waits for queued work first. */
    void download(float[] dst, int dstOff, Buf src, long srcOff, int n);

    void downloadInt(int[] dst, int dstOff, IntBuf src, long srcOff, int n);

    default void upload(Buf dst, float[] src) { upload(dst, 0, src, 0, src.length); }

    default float[] download(Buf src) {
        float[] out = new float[Math.toIntExact(src.size())];
        download(out, 0, src, 0, out.length);
        return out;
    }

    default int[] downloadInt(IntBuf src) {
        int[] out = new int[Math.toIntExact(src.size())];
        downloadInt(out, 0, src, 0, out.length);
        return out;
    }

    /** x[0..n) = value. */
    void fill(Buf x, long n, float value);

    /** dst[0..n) = src[0..n). */
    void copy(Buf dst, Buf src, long n);

    // ---- linear algebra -------------------------------------------------------------------

    /**
     * Row-major C = alpha * op(A) * op(B) + beta * C. op(A) is (M,K), op(B) is (K,N), C is (M,N);
     * lda/ldb/ldc are the row strides of A, B and C as stored.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, Buf a, int lda, Buf b, int ldb, float beta, Buf c, int ldc);

    /**
     * A hidden layer's forward pass, out:(rows,n) = elu(in:(rows,k) . weight:(n,k)^T + bias:(n)):
     * exactly {@link #gemm} (no transposed A, transposed B, alpha 1, beta 0, dense strides) then
     * {@link #biasElu}, bit for bit. A backend may fuse the two (the CPU applies the bias and ELU to
     * each block of the product while it is still in cache); out must not overlap the inputs.
     */
    default void gemmBiasElu(Buf out, Buf in, Buf weight, Buf bias, int rows, int n, int k) {
        gemm(false, true, rows, n, k, 1f, in, k, weight, k, 0f, out, n);
        biasElu(out, bias, rows, n);
    }

    /**
     * The input gradient through a layer above an ELU, dIn:(rows,k) = (dOut:(rows,n) . weight:(n,k))
     * * elu'(act), act:(rows,k) the ELU's output: exactly {@link #gemm} (no transposes, alpha 1, beta
     * 0, dense strides) then {@link #eluBackward}(dIn, act), bit for bit, fused where the backend
     * can; dIn must not overlap the inputs.
     */
    default void gemmEluBackward(Buf dIn, Buf dOut, Buf weight, Buf act, int rows, int n, int k) {
        gemm(false, false, rows, k, n, 1f, dOut, n, weight, k, 0f, dIn, k);
        eluBackward(dIn, act, (long) rows * k);
    }

    /** out:(B,N) = elu(out + bias), in place. bias:(N). ELU alpha is 1. */
    void biasElu(Buf out, Buf bias, int rows, int cols);

    /** out:(B,N) += bias:(N), in place (the linear output layer). */
    void addBias(Buf out, Buf bias, int rows, int cols);

    /**
     * grad:(n) *= elu'(pre-activation), in place, using the ELU output {@code out}:
     * the derivative is 1 where out > 0, else out + 1 (= exp(pre)).
     */
    void eluBackward(Buf grad, Buf out, long n);

    /** out:(N) = sum over rows of in:(B,N) + beta * out. Fixed summation order (deterministic). */
    void columnSums(Buf out, Buf in, int rows, int cols, float beta);

    // ---- energies and losses --------------------------------------------------------------

    /**
     * Sampler head: per row of scores:(B,C), dScores = sign * softmax(scores), i.e. the gradient
     * of E = sign * LogSumExp(scores). Also writes energy:(B) = sign * LSE if energy is non-null.
     */
    void energyGrad(Buf dScores, Buf energy, Buf scores, int rows, int classes, float sign);

    /**
     * The hybrid loss on a stacked batch: scores:(2B,C), rows [0,B) real with labels:(B), rows
     * [B,2B) sampled. Writes dScores:(2B,C) = dL/dscores and adds this batch's statistics into
     * stats (see {@link LossStats} for the layout). See {@link HybridLossSpec} for the loss.
     */
    void hybridLossGrad(Buf dScores, Buf stats, Buf scores, IntBuf labels, int batch, int classes,
                        HybridLossSpec spec);

    // ---- sampling ----------------------------------------------------------------------------

    /** x[0..n) = lo + (hi-lo) * U, U uniform in [0,1) from Philox (stream, counters step). */
    void uniformFill(Buf x, long n, float lo, float hi, long seed, IntBuf counters, int stream);

    /**
     * One Langevin step, fused: x = x - alpha * clip(grad, gradClip) + sigma * N(0,1).
     * gradClip <= 0 means no clipping. Noise from Philox (stream, counters step).
     */
    void langevinUpdate(Buf x, Buf grad, long n, float alpha, float sigma, float gradClip,
                        long seed, IntBuf counters, int stream);

    /** Noise injection: x += sigma * N(0,1), from Philox (stream, counters step). */
    void addNoise(Buf x, long n, float sigma, long seed, IntBuf counters, int stream);

    /** x = min(max(x, lo), hi), in place. */
    void clamp(Buf x, long n, float lo, float hi);

    // ---- data ----------------------------------------------------------------------------------

    /**
     * out:(rows,cols) row r = table row perm[cursor + r]; labelsOut:(rows) likewise from labels
     * (labelsOut and labels may be null). cursor is read from counters[{@link Counters#CURSOR}].
     */
    void gatherRows(Buf out, IntBuf labelsOut, Buf table, IntBuf labels, IntBuf perm,
                    IntBuf counters, int rows, int cols);

    /**
     * The inverse of {@link #gatherRows}: table:(*,cols) row index[cursor + r] = src:(rows,cols)
     * row r, for r in [0, rows); cursor is read from counters[{@link Counters#CURSOR}]. The rows
     * written must be distinct and must not overlap src.
     */
    void scatterRows(Buf table, Buf src, IntBuf index, IntBuf counters, int rows, int cols);

    /** counters[index] += delta (a 64-bit pair when index is {@link Counters#STEP_LO}). */
    void increment(IntBuf counters, int index, int delta);

    // ---- images (convolutions as GEMMs, augmentation) -----------------------------------------------

    /**
     * Patches as rows, so that a convolution is one GEMM. x:(batch, height, width, channels)
     * channels last; cols:(batch * positions, patchSize): row (b, oy, ox), column (ky, kx, ci) holds
     * x[b, oy*stride - pad + ky, ox*stride - pad + kx, ci], or 0 where that falls outside the image.
     */
    void im2col(Buf cols, Buf x, Patches p, int batch);

    /**
     * The adjoint of {@link #im2col}: dx:(batch, height, width, channels) = for each pixel, the sum of
     * the dcols entries that read it, taken in (ky, kx) ascending order from 0 (deterministic), overwriting dx.
     */
    void col2im(Buf dx, Buf dcols, Patches p, int batch);

    /**
     * Random translation: out:(rows, height, width, channels) is in:(rows, ...) shifted by (dy, dx),
     * each uniform in [-maxShift, maxShift] and drawn per row from Philox (row r uses block r at the
     * counters' step and {@code stream}: dy from its first word, dx from its second, each as
     * unsigned % (2 maxShift + 1) - maxShift); pixels shifted in from outside are {@code fill}.
     */
    void shiftImages(Buf out, Buf in, int rows, int height, int width, int channels, int maxShift, float fill,
                     long seed, IntBuf counters, int stream);

    // ---- optimiser -------------------------------------------------------------------------------

    /**
     * Adam over n parameters in one pass. The step t is counters[{@link Counters#ADAM_T}] + 1 (the
     * caller increments the counter afterwards); lr is warmed up linearly over spec.warmupSteps.
     */
    void adamStep(Buf params, Buf grads, Buf m, Buf v, long n, IntBuf counters, AdamSpec spec);

    // ---- execution ------------------------------------------------------------------------------

    /**
     * Runs {@code body}, a sequence of ops that a CUDA graph can hold: no upload, download,
     * allocation, buffer close or synchronize inside it (the CUDA backend throws
     * {@link IllegalStateException}). Each call runs the body exactly once and has exactly the
     * effect of running its ops in order, with this call's buffers and host values, whatever ran
     * under the same {@code key} before: the key only names a cache slot. The CPU backend simply
     * runs the body. The CUDA backend records the body's ops as commands (kernel, launch shape and
     * every argument value, device addresses included), launches the graph cached under the key
     * if it was captured from identical commands, and otherwise captures a new one in its place.
     * Graphs pay off when calls repeat identically: keep what changes every call (RNG step, Adam
     * step, batch cursor) in device memory, as the {@link Counters} ops do; a changed host value
     * (a new learning rate) or a reallocated buffer costs one re-capture, never a stale replay.
     */
    void repeatable(String key, Runnable body);

    /** Waits until all queued work has finished. */
    void synchronize();

    /** A timer for named phases: host clocks on the CPU, CUDA events on the GPU. */
    PhaseTimer timer();

    @Override
    void close();
}
