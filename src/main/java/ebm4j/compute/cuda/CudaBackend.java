package ebm4j.compute.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import ebm4j.UserException;
import ebm4j.compute.AdamSpec;
import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.HybridLossSpec;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Patches;
import ebm4j.compute.PhaseTimer;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * The GPU backend: JCuda's driver API on the device's primary context, one non-blocking stream,
 * our kernels from the fatbin resource, and GEMMs through cuBLAS when libcublas.so.12 loads, else
 * through our SGEMM kernel ({@link #describe()} says which). Every op is queued on the stream and
 * returns at once; only upload, download, synchronize, buffer close and the timer's drain wait.
 * Each op mirrors the CPU reference ({@code CpuBackend}) expression for expression; the parity
 * tests state where and why results may differ (GEMM summation order, double exp/log ulps).
 *
 * <p><b>Threads.</b> All calls must come from one thread at a time, normally the thread that
 * created the backend (as with the CPU backend, ops are submitted like on a CUDA stream). The
 * context is made current on whichever thread calls, so handing the backend to another thread
 * works, but concurrent calls do not. The thread that calls {@link #repeatable} must run the
 * whole body.
 *
 * <p><b>Graphs: recorded, never trusted by key.</b> A CUDA graph holds its kernels' arguments by
 * value (device pointers and host scalars such as a learning rate), so a graph replayed after a
 * buffer was freed, or after a host value changed, would do something other than the code that
 * called it says. {@link #repeatable} therefore runs its body on every call, in recording mode:
 * each op appends a {@link StreamCommand} (kernel launch with kernel, grid, block and every
 * argument value; device copy; GEMM call with all its arguments) to a tape instead of issuing it.
 * {@link GraphCache} then launches the graph cached under the key if it was captured from an
 * equal tape, and otherwise drops it, captures the tape ({@code cuStreamBeginCapture} in
 * thread-local mode, the commands, {@code cuStreamEndCapture}, {@code cuGraphInstantiate}) and
 * launches the new graph. So a replay is always exactly what eager execution of this call would
 * do; what should not cost a re-capture every step (RNG step, Adam step, batch cursor) is read by
 * the kernels from the counters buffer. Graphs that use memory being freed are dropped at the
 * free. Inside a body, calls that would synchronise or allocate (upload, download, alloc, buffer
 * close, synchronize, timer drain) throw {@link IllegalStateException}, since a body must be
 * capturable. Nested {@code repeatable} calls become part of the outer tape. Host cost: the body's
 * Java side plus one tape comparison per call (see {@code GraphCache}), while the GPU works.
 *
 * <p><b>Timing.</b> {@link #timer()} times eager phases with CUDA events and phases inside a
 * captured graph with device-clock marks captured as kernel nodes (so every replay counts); see
 * {@link CudaTimer} for why not events inside graphs.
 *
 * <p><b>Where it differs from the CPU backend.</b> The device cannot throw: in
 * {@link #hybridLossGrad} a label outside [0, classes) makes the LOSS and CLF statistics NaN, and
 * in {@link #gatherRows} a cursor or permutation entry out of range gives NaN rows and label -1.
 * Everything the host can check (sizes, shapes, strides, buffer types) is checked as on the CPU.
 *
 * <p><b>Layers.</b> Driver calls live behind {@link Device} ({@link DriverDevice}); argument
 * marshalling in {@link KernelOps} and {@link KernelGemm}; this class holds the checks, the graph
 * cache and the timers. The tests also run it over a host emulator of the kernels, so all of
 * that is exercised on machines without a GPU.
 *
 * <p><b>Errors.</b> A {@link CudaException} is rethrown with the op's name. Running out of device
 * memory in {@link #alloc} is a {@link UserException} naming the size and suggesting a smaller batch.
 * Kernel faults (illegal address and the like) surface at the next synchronising call and leave
 * the context unusable: the process must restart.
 */
public final class CudaBackend implements Backend {
    /** System property: "auto" (default: cuBLAS if it loads), "kernel" or "cublas". */
    public static final String GEMM_PROPERTY = "ebm4j.cuda.gemm";

    private final Device device;
    private final KernelOps ops;
    private final GraphCache graphs;
    private final List<CudaTimer> timers = new ArrayList<>();
    private Thread thread;
    /** The commands of the repeatable() body being recorded, else null (ops are issued at once). */
    private List<StreamCommand> tape;
    private int lastTapeSize = 16;
    private boolean closed;

    /** A backend over {@code device} (the tests pass an emulated one). */
    CudaBackend(Device device) {
        this.device = device;
        this.thread = Thread.currentThread();
        this.graphs = new GraphCache(device);
        this.ops = new KernelOps(this::submitLaunch, device.multiprocessors());
    }

    /** Opens device 0. */
    public static CudaBackend open() {
        return open(0);
    }

    /**
     * Opens device {@code ordinal}: retains its primary context (current on the calling thread),
     * loads the kernels and chooses the GEMM ({@value #GEMM_PROPERTY}: auto, kernel or cublas).
     *
     * @throws UserException when {@link CudaProbe} reports no usable GPU
     */
    public static CudaBackend open(int ordinal) {
        String problem = CudaProbe.problem();
        if (problem != null) {
            throw new UserException("no usable GPU: " + problem);
        }
        String gemm = System.getProperty(GEMM_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        try {
            return new CudaBackend(new DriverDevice(ordinal, gemm));
        } catch (CudaException e) {
            throw new CudaException("opening the CUDA backend on device " + ordinal + ": " + e.getMessage(), e);
        }
    }

    // ---- plumbing used by the timer -------------------------------------------------------------

    KernelOps ops() {
        return ops;
    }

    Device device() {
        return device;
    }

    /** True while a repeatable() body is being recorded (its ops must be capturable). */
    boolean capturing() {
        return tape != null;
    }

    /** The graph cache (tests look at its size and capture count). */
    GraphCache graphs() {
        return graphs;
    }

    /** Issues {@code c} now, or appends it to the tape of the body being recorded. */
    private void submit(StreamCommand c) {
        if (tape != null) tape.add(c);
        else c.issue(device);
    }

    private void submitLaunch(Launch l) {
        submit(l.check());
    }

    /**
     * Runs {@code body} as op {@code op}: open check, context current, CudaException named, and
     * argument errors prefixed with the op's name like the CPU backend's ("fill: x holds ...").
     */
    void call(String op, Runnable body) {
        enter();
        try {
            body.run();
        } catch (CudaException e) {
            throw named(op, e);
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).startsWith(op + ":")) throw e;
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }

    private void enter() {
        if (closed) throw new IllegalStateException("cuda backend is closed");
        Thread current = Thread.currentThread();
        if (current != thread) {
            device.makeCurrent();
            thread = current;
        }
    }

    private static final String[] STICKY = {"ILLEGAL_ADDRESS", "LAUNCH_FAILED", "ILLEGAL_INSTRUCTION",
        "MISALIGNED_ADDRESS", "HARDWARE_STACK_ERROR", "INVALID_PC", "ASSERT", "ECC_UNCORRECTABLE"};

    private static CudaException named(String op, CudaException e) {
        String msg = String.valueOf(e.getMessage());
        for (String s : STICKY) {
            if (msg.contains(s)) {
                msg += " (a kernel fault: the CUDA context is unusable, restart the process)";
                break;
            }
        }
        return new CudaException("cuda " + op + ": " + msg, e);
    }

    void requireNotCapturing(String op) {
        if (tape != null) {
            throw new IllegalStateException(op + " cannot run inside repeatable(): it would synchronise"
                    + " or allocate, and the body must be capturable as a CUDA graph");
        }
    }

    /** Reads n unsigned 64-bit words (synchronous). */
    long[] readLongs(CUdeviceptr src, int n) {
        int[] words = new int[2 * n];
        device.download(src, 0, 2 * n, (bb, from, count) -> bb.asIntBuffer().get(words, from, count));
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            // little-endian device: low word first
            out[i] = (words[2 * i] & 0xFFFFFFFFL) | ((long) words[2 * i + 1] << 32);
        }
        return out;
    }

    /** Allocates device memory outside a capture, with the memory's close checked like a buffer's. */
    private DeviceMemory allocate(String op, long bytes) {
        requireNotCapturing(op);
        DeviceMemory[] out = new DeviceMemory[1];
        call(op, () -> out[0] = device.allocate(bytes));
        DeviceMemory raw = out[0];
        return new DeviceMemory(raw.ptr, raw.bytes, m -> {
            if (closed) return;
            requireNotCapturing("closing a buffer");
            graphs.dropTouching(DeviceAddress.of(raw.ptr), raw.bytes);
            call("free", raw::close);
        }, raw);
    }

    // ---- Backend: identity ---------------------------------------------------------------------

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String describe() {
        return "cuda: " + device.describe() + ", GEMM " + device.gemm().describe();
    }

    // ---- memory -------------------------------------------------------------------------------

    /** Zero-filled, as the Backend contract says: device memory comes uninitialised (cuMemAlloc). */
    @Override
    public CudaBuf alloc(long n) {
        KernelOps.nonNegative(n, "alloc: n");
        DeviceMemory m = allocate("alloc", Math.multiplyExact(n, (long) Float.BYTES));
        zero("alloc", m, n);
        return new CudaBuf(m.ptr, n, m, true);
    }

    /** Zero-filled, as {@link #alloc}. */
    @Override
    public CudaIntBuf allocInt(long n) {
        KernelOps.nonNegative(n, "allocInt: n");
        DeviceMemory m = allocate("allocInt", Math.multiplyExact(n, (long) Integer.BYTES));
        zero("allocInt", m, n);
        return new CudaIntBuf(m.ptr, n, m, true);
    }

    /** Queues memory[0..words) = 0 (4-byte words: +0.0f and int 0 alike). */
    private void zero(String op, DeviceMemory memory, long words) {
        if (words > 0) call(op, () -> device.memsetD32(memory.ptr, 0, words));
    }

    private static void checkRange(String op, long size, long offset, int n, int arrayLength, int arrayOffset) {
        if (offset < 0 || n < 0 || offset + n > size) {
            throw new IllegalArgumentException(op + ": [" + offset + ", " + (offset + n) + ") outside a buffer of " + size);
        }
        Objects.checkFromIndexSize(arrayOffset, n, arrayLength);
    }

    @Override
    public void upload(Buf dst, long dstOff, float[] src, int srcOff, int n) {
        CudaBuf d = floats("upload", "dst", dst);
        checkRange("upload", d.size(), dstOff, n, src.length, srcOff);
        requireNotCapturing("upload");
        call("upload", () -> device.upload(d.ptr(), dstOff, n, (bb, from, count) ->
                bb.asFloatBuffer().put(src, srcOff + from, count)));
    }

    @Override
    public void uploadInt(IntBuf dst, long dstOff, int[] src, int srcOff, int n) {
        CudaIntBuf d = ints("uploadInt", "dst", dst);
        checkRange("uploadInt", d.size(), dstOff, n, src.length, srcOff);
        requireNotCapturing("uploadInt");
        call("uploadInt", () -> device.upload(d.ptr(), dstOff, n, (bb, from, count) ->
                bb.asIntBuffer().put(src, srcOff + from, count)));
    }

    @Override
    public void download(float[] dst, int dstOff, Buf src, long srcOff, int n) {
        CudaBuf s = floats("download", "src", src);
        checkRange("download", s.size(), srcOff, n, dst.length, dstOff);
        requireNotCapturing("download");
        call("download", () -> device.download(s.ptr(), srcOff, n, (bb, from, count) ->
                bb.asFloatBuffer().get(dst, dstOff + from, count)));
    }

    @Override
    public void downloadInt(int[] dst, int dstOff, IntBuf src, long srcOff, int n) {
        CudaIntBuf s = ints("downloadInt", "src", src);
        checkRange("downloadInt", s.size(), srcOff, n, dst.length, dstOff);
        requireNotCapturing("downloadInt");
        call("downloadInt", () -> device.download(s.ptr(), srcOff, n, (bb, from, count) ->
                bb.asIntBuffer().get(dst, dstOff + from, count)));
    }

    @Override
    public void fill(Buf x, long n, float value) {
        CudaBuf xb = floats("fill", "x", x);
        call("fill", () -> ops.fill(xb, n, value));
    }

    @Override
    public void copy(Buf dst, Buf src, long n) {
        CudaBuf d = floats("copy", "dst", dst);
        CudaBuf s = floats("copy", "src", src);
        KernelOps.nonNegative(n, "copy: n");
        KernelOps.need(d, n, "copy: dst");
        KernelOps.need(s, n, "copy: src");
        if (n == 0) return;
        call("copy", () -> submit(new StreamCommand.Copy(d.ptr(), s.ptr(), n * Float.BYTES)));
    }

    // ---- linear algebra -----------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Buf a, int lda,
                     Buf b, int ldb, float beta, Buf c, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        CudaBuf ab = matrix("A", "lda", a, transA ? k : m, transA ? m : k, lda);
        CudaBuf bb = matrix("B", "ldb", b, transB ? n : k, transB ? k : n, ldb);
        CudaBuf cb = matrix("C", "ldc", c, m, n, ldc);
        if (m == 0 || n == 0) return;
        call("gemm", () -> submit(new StreamCommand.Gemm(transA, transB, m, n, k, alpha, ab.ptr(), lda,
                bb.ptr(), ldb, beta, cb.ptr(), ldc)));
    }

    /** A gemm operand stored (rows, cols) with row stride ld: the CPU backend's checks. */
    private CudaBuf matrix(String name, String ldName, Buf buf, int rows, int cols, int ld) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("gemm: " + ldName + " = " + ld + " < "
                    + Math.max(1, cols) + " columns of " + name + " as stored");
        }
        CudaBuf cb = floats("gemm", name, buf);
        long needed = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        KernelOps.need(cb, needed, "gemm: " + name);
        return cb;
    }

    @Override
    public void biasElu(Buf out, Buf bias, int rows, int cols) {
        CudaBuf o = floats("biasElu", "out", out), bb = floats("biasElu", "bias", bias);
        call("biasElu", () -> ops.biasElu(o, bb, rows, cols));
    }

    @Override
    public void addBias(Buf out, Buf bias, int rows, int cols) {
        CudaBuf o = floats("addBias", "out", out), bb = floats("addBias", "bias", bias);
        call("addBias", () -> ops.addBias(o, bb, rows, cols));
    }

    @Override
    public void eluBackward(Buf grad, Buf out, long n) {
        CudaBuf g = floats("eluBackward", "grad", grad), o = floats("eluBackward", "out", out);
        call("eluBackward", () -> ops.eluBackward(g, o, n));
    }

    @Override
    public void columnSums(Buf out, Buf in, int rows, int cols, float beta) {
        CudaBuf o = floats("columnSums", "out", out), i = floats("columnSums", "in", in);
        call("columnSums", () -> ops.columnSums(o, i, rows, cols, beta));
    }

    // ---- energies and losses --------------------------------------------------------------------

    @Override
    public void energyGrad(Buf dScores, Buf energy, Buf scores, int rows, int classes, float sign) {
        CudaBuf d = floats("energyGrad", "dScores", dScores), s = floats("energyGrad", "scores", scores);
        CudaBuf e = energy == null ? null : floats("energyGrad", "energy", energy);
        call("energyGrad", () -> ops.energyGrad(d, e, s, rows, classes, sign));
    }

    /**
     * As the CPU's, except that labels outside [0, classes) cannot be reported from the device:
     * they make the LOSS and CLF statistics NaN instead of throwing.
     */
    @Override
    public void hybridLossGrad(Buf dScores, Buf stats, Buf scores, IntBuf labels, int batch, int classes,
                               HybridLossSpec spec) {
        CudaBuf d = floats("hybridLossGrad", "dScores", dScores), t = floats("hybridLossGrad", "stats", stats);
        CudaBuf s = floats("hybridLossGrad", "scores", scores);
        CudaIntBuf l = ints("hybridLossGrad", "labels", labels);
        Objects.requireNonNull(spec, "spec");
        call("hybridLossGrad", () -> ops.hybridLossGrad(d, t, s, l, batch, classes, spec));
    }

    // ---- sampling -------------------------------------------------------------------------------

    @Override
    public void uniformFill(Buf x, long n, float lo, float hi, long seed, IntBuf counters, int stream) {
        CudaBuf xb = floats("uniformFill", "x", x);
        CudaIntBuf c = ints("uniformFill", "counters", counters);
        call("uniformFill", () -> ops.uniformFill(xb, n, lo, hi, seed, c, stream));
    }

    @Override
    public void langevinUpdate(Buf x, Buf grad, long n, float alpha, float sigma, float gradClip, long seed,
                               IntBuf counters, int stream) {
        CudaBuf xb = floats("langevinUpdate", "x", x), g = floats("langevinUpdate", "grad", grad);
        CudaIntBuf c = ints("langevinUpdate", "counters", counters);
        call("langevinUpdate", () -> ops.langevinUpdate(xb, g, n, alpha, sigma, gradClip, seed, c, stream));
    }

    @Override
    public void addNoise(Buf x, long n, float sigma, long seed, IntBuf counters, int stream) {
        CudaBuf xb = floats("addNoise", "x", x);
        CudaIntBuf c = ints("addNoise", "counters", counters);
        call("addNoise", () -> ops.addNoise(xb, n, sigma, seed, c, stream));
    }

    @Override
    public void clamp(Buf x, long n, float lo, float hi) {
        CudaBuf xb = floats("clamp", "x", x);
        call("clamp", () -> ops.clamp(xb, n, lo, hi));
    }

    // ---- data -----------------------------------------------------------------------------------

    /**
     * As the CPU's, except that a cursor or permutation entry out of range cannot be reported from
     * the device: the affected rows come out NaN (labels -1) instead of throwing.
     */
    @Override
    public void gatherRows(Buf out, IntBuf labelsOut, Buf table, IntBuf labels, IntBuf perm, IntBuf counters,
                           int rows, int cols) {
        CudaBuf o = floats("gatherRows", "out", out), t = floats("gatherRows", "table", table);
        CudaIntBuf lo = labelsOut == null ? null : ints("gatherRows", "labelsOut", labelsOut);
        CudaIntBuf li = lo == null ? null : ints("gatherRows", "labels", labels);
        CudaIntBuf p = ints("gatherRows", "perm", perm), c = ints("gatherRows", "counters", counters);
        call("gatherRows", () -> ops.gatherRows(o, lo, t, li, p, c, rows, cols));
    }

    /**
     * As the CPU's, except that errors cannot be reported from the device: a position or index
     * out of range skips that row, and a row written twice gets one of the two sources.
     */
    @Override
    public void scatterRows(Buf table, Buf src, IntBuf index, IntBuf counters, int rows, int cols) {
        CudaBuf t = floats("scatterRows", "table", table), s = floats("scatterRows", "src", src);
        CudaIntBuf ix = ints("scatterRows", "index", index), c = ints("scatterRows", "counters", counters);
        call("scatterRows", () -> ops.scatterRows(t, s, ix, c, rows, cols));
    }

    @Override
    public void increment(IntBuf counters, int index, int delta) {
        CudaIntBuf c = ints("increment", "counters", counters);
        call("increment", () -> ops.increment(c, index, delta));
    }

    // ---- images ---------------------------------------------------------------------------------

    @Override
    public void im2col(Buf cols, Buf x, Patches p, int batch) {
        CudaBuf c = floats("im2col", "cols", cols), xb = floats("im2col", "x", x);
        Objects.requireNonNull(p, "patches");
        call("im2col", () -> ops.im2col(c, xb, p, batch));
    }

    @Override
    public void col2im(Buf dx, Buf dcols, Patches p, int batch) {
        CudaBuf d = floats("col2im", "dx", dx), c = floats("col2im", "dcols", dcols);
        Objects.requireNonNull(p, "patches");
        call("col2im", () -> ops.col2im(d, c, p, batch));
    }

    @Override
    public void shiftImages(Buf out, Buf in, int rows, int height, int width, int channels, int maxShift, float fill,
                            long seed, IntBuf counters, int stream) {
        CudaBuf o = floats("shiftImages", "out", out), i = floats("shiftImages", "in", in);
        CudaIntBuf c = ints("shiftImages", "counters", counters);
        call("shiftImages", () -> ops.shiftImages(o, i, rows, height, width, channels, maxShift, fill, seed, c, stream));
    }

    // ---- optimiser ------------------------------------------------------------------------------

    @Override
    public void adamStep(Buf params, Buf grads, Buf m, Buf v, long n, IntBuf counters, AdamSpec spec) {
        CudaBuf p = floats("adamStep", "params", params), g = floats("adamStep", "grads", grads);
        CudaBuf mb = floats("adamStep", "m", m), vb = floats("adamStep", "v", v);
        CudaIntBuf c = ints("adamStep", "counters", counters);
        Objects.requireNonNull(spec, "spec");
        call("adamStep", () -> ops.adamStep(p, g, mb, vb, n, c, spec));
    }

    // ---- execution ------------------------------------------------------------------------------

    /**
     * Runs {@code body} once, recording its ops, then launches the graph cached under {@code key}
     * if it was captured from the same commands, else captures them anew (see the class comment).
     */
    @Override
    public void repeatable(String key, Runnable body) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(body, "body");
        enter();
        if (tape != null) {
            body.run();   // nested: part of the tape being recorded
            return;
        }
        List<StreamCommand> recorded = record(key, body);
        call("repeatable(" + key + ")", () -> graphs.run(key, recorded));
    }

    /** The body's commands; nothing reaches the device. A failing body leaves no trace but timers reset. */
    private List<StreamCommand> record(String key, Runnable body) {
        tape = new ArrayList<>(lastTapeSize);
        RuntimeException failure = null;
        List<StreamCommand> recorded;
        try {
            body.run();
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            failure = new IllegalStateException("repeatable(" + key + ") body failed", e);
        } finally {
            recorded = tape;
            tape = null;
        }
        for (CudaTimer t : timers) {
            try {
                t.captureEnded();
            } catch (IllegalStateException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
        lastTapeSize = Math.max(16, recorded.size());
        return recorded;
    }

    @Override
    public void synchronize() {
        requireNotCapturing("synchronize");
        call("synchronize", device::synchronize);
    }

    /** A new timer (see {@link CudaTimer}: events outside graphs, device clock marks inside). */
    @Override
    public PhaseTimer timer() {
        DeviceMemory slots = allocate("timer", (long) CudaTimer.MAX_GRAPH_PHASES * 2 * Long.BYTES);
        CudaTimer t = new CudaTimer(this, slots);
        timers.add(t);
        return t;
    }

    /**
     * Waits for queued work, then frees everything: graphs, timers, buffers still open (closing them
     * later does nothing), the device with its GEMM engine, staging, stream and module, and releases
     * the primary context. Idempotent. The first failure is rethrown after everything was attempted.
     */
    @Override
    public void close() {
        if (closed) return;
        List<RuntimeException> failures = new ArrayList<>();
        attempt(failures, device::makeCurrent);
        attempt(failures, device::synchronize);
        attempt(failures, graphs::close);
        for (CudaTimer t : timers) attempt(failures, t::close);
        timers.clear();
        closed = true;
        attempt(failures, device::close);
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            for (int i = 1; i < failures.size(); i++) first.addSuppressed(failures.get(i));
            throw first instanceof CudaException ce ? named("close", ce) : first;
        }
    }

    private static void attempt(List<RuntimeException> failures, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    // ---- validation -----------------------------------------------------------------------------

    private static CudaBuf floats(String op, String name, Buf buf) {
        if (buf instanceof CudaBuf cb) return cb;
        throw new IllegalArgumentException(op + ": " + name + " is "
                + (buf == null ? "null" : "not a cuda buffer: " + buf.getClass().getName()));
    }

    private static CudaIntBuf ints(String op, String name, IntBuf buf) {
        if (buf instanceof CudaIntBuf cb) return cb;
        throw new IllegalArgumentException(op + ": " + name + " is "
                + (buf == null ? "null" : "not a cuda int buffer: " + buf.getClass().getName()));
    }
}
