package ebm4j.bench;

import ebm4j.compute.AdamSpec;
import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.HybridLossSpec;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Patches;
import ebm4j.compute.PhaseTimer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Time per backend op: a {@link Backend} that forwards every call to the real one and, for the
 * compute ops, waits for the backend after the call and adds the elapsed time to the op's total
 * (GEMMs are kept apart by shape). Waiting after each op costs a GPU its overlap of launches, so
 * the totals show where device time goes rather than what a pipelined run takes; on the CPU every
 * op is synchronous anyway and the totals add up to the run's time.
 *
 * <p>A plain decorator, one line per op: a reflective proxy (which would follow new ops by
 * itself) slowed the CPU kernels it timed to a third of their speed, which is no use for a
 * breakdown. A new {@code Backend} op needs its line here.
 */
public final class OpProfile implements Backend {

    /** One op's calls and time; {@code flops} counts multiply-adds twice (GEMMs only, else 0). */
    public record Entry(String op, double calls, double millis, double flops) {
        /** The same figures per {@code n} units of work (e.g. per Langevin step). */
        public Entry per(double n) {
            return new Entry(op, calls / n, millis / n, flops / n);
        }

        /** GFLOP/s, or NaN for ops that are not counted. */
        public double gflopsPerSecond() {
            return flops > 0 && millis > 0 ? flops / millis / 1e6 : Double.NaN;
        }
    }

    /** Accumulated figures of one op. */
    private static final class Total {
        long nanos;
        long calls;
        double flops;
    }

    private final Backend target;
    private final Map<String, Total> totals = new LinkedHashMap<>();
    private final Map<Long, String> gemmKeys = new LinkedHashMap<>();
    private final Map<Long, String> biasEluNames = new LinkedHashMap<>();
    private final Map<Long, String> eluBackwardNames = new LinkedHashMap<>();

    public OpProfile(Backend target) {
        this.target = target;
    }

    /** The profiling backend: use it in place of the real one. */
    public Backend backend() {
        return this;
    }

    /** Forgets everything recorded so far (e.g. after a warm-up). */
    public void reset() {
        totals.clear();
    }

    /** The ops in order of first use. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        totals.forEach((op, t) -> out.add(new Entry(op, t.calls, t.nanos / 1e6, t.flops)));
        return out;
    }

    /** "gemm MxNxK " + suffix for a product of C:(m,n) over depth k, built once per shape. */
    private static String named(Map<Long, String> names, int m, int n, int k, String suffix) {
        return names.computeIfAbsent(((long) m * 100_003 + n) * 100_003 + k,
                x -> "gemm " + m + "x" + n + "x" + k + " " + suffix);
    }

    private long start() {
        return System.nanoTime();
    }

    private void stop(String op, long t0, double flops) {
        target.synchronize();
        long t = System.nanoTime() - t0;
        Total total = totals.computeIfAbsent(op, k -> new Total());
        total.nanos += t;
        total.calls++;
        total.flops += flops;
    }

    // ---- timed ops ------------------------------------------------------------------------------

    @Override
    public void fill(Buf x, long n, float value) {
        long t0 = start();
        target.fill(x, n, value);
        stop("fill", t0, 0);
    }

    @Override
    public void copy(Buf dst, Buf src, long n) {
        long t0 = start();
        target.copy(dst, src, n);
        stop("copy", t0, 0);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Buf a, int lda, Buf b,
                     int ldb, float beta, Buf c, int ldc) {
        long key = (((long) m * 100_003 + n) * 100_003 + k) * 4 + (transA ? 2 : 0) + (transB ? 1 : 0);
        String op = gemmKeys.computeIfAbsent(key, x -> "gemm " + m + "x" + n + "x" + k + " "
                + (transA ? "T" : "N") + (transB ? "T" : "N"));
        long t0 = start();
        target.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        stop(op, t0, 2.0 * m * n * k);
    }

    @Override
    public void gemmBiasElu(Buf out, Buf in, Buf weight, Buf bias, int rows, int n, int k) {
        long t0 = start();
        target.gemmBiasElu(out, in, weight, bias, rows, n, k);
        stop(named(biasEluNames, rows, n, k, "NT +biasElu"), t0, 2.0 * rows * n * k);
    }

    @Override
    public void gemmEluBackward(Buf dIn, Buf dOut, Buf weight, Buf act, int rows, int n, int k) {
        long t0 = start();
        target.gemmEluBackward(dIn, dOut, weight, act, rows, n, k);
        stop(named(eluBackwardNames, rows, k, n, "NN +eluBackward"), t0, 2.0 * rows * n * k);
    }

    @Override
    public void biasElu(Buf out, Buf bias, int rows, int cols) {
        long t0 = start();
        target.biasElu(out, bias, rows, cols);
        stop("biasElu", t0, 0);
    }

    @Override
    public void addBias(Buf out, Buf bias, int rows, int cols) {
        long t0 = start();
        target.addBias(out, bias, rows, cols);
        stop("addBias", t0, 0);
    }

    @Override
    public void eluBackward(Buf grad, Buf out, long n) {
        long t0 = start();
        target.eluBackward(grad, out, n);
        stop("eluBackward", t0, 0);
    }

    @Override
    public void columnSums(Buf out, Buf in, int rows, int cols, float beta) {
        long t0 = start();
        target.columnSums(out, in, rows, cols, beta);
        stop("columnSums", t0, 0);
    }

    @Override
    public void energyGrad(Buf dScores, Buf energy, Buf scores, int rows, int classes, float sign) {
        long t0 = start();
        target.energyGrad(dScores, energy, scores, rows, classes, sign);
        stop("energyGrad", t0, 0);
    }

    @Override
    public void hybridLossGrad(Buf dScores, Buf stats, Buf scores, IntBuf labels, int batch, int classes,
                               HybridLossSpec spec) {
        long t0 = start();
        target.hybridLossGrad(dScores, stats, scores, labels, batch, classes, spec);
        stop("hybridLossGrad", t0, 0);
    }

    @Override
    public void uniformFill(Buf x, long n, float lo, float hi, long seed, IntBuf counters, int stream) {
        long t0 = start();
        target.uniformFill(x, n, lo, hi, seed, counters, stream);
        stop("uniformFill", t0, 0);
    }

    @Override
    public void langevinUpdate(Buf x, Buf grad, long n, float alpha, float sigma, float gradClip, long seed,
                               IntBuf counters, int stream) {
        long t0 = start();
        target.langevinUpdate(x, grad, n, alpha, sigma, gradClip, seed, counters, stream);
        stop("langevinUpdate", t0, 0);
    }

    @Override
    public void addNoise(Buf x, long n, float sigma, long seed, IntBuf counters, int stream) {
        long t0 = start();
        target.addNoise(x, n, sigma, seed, counters, stream);
        stop("addNoise", t0, 0);
    }

    @Override
    public void clamp(Buf x, long n, float lo, float hi) {
        long t0 = start();
        target.clamp(x, n, lo, hi);
        stop("clamp", t0, 0);
    }

    @Override
    public void gatherRows(Buf out, IntBuf labelsOut, Buf table, IntBuf labels, IntBuf perm, IntBuf counters,
                           int rows, int cols) {
        long t0 = start();
        target.gatherRows(out, labelsOut, table, labels, perm, counters, rows, cols);
        stop("gatherRows", t0, 0);
    }

    @Override
    public void scatterRows(Buf table, Buf src, IntBuf index, IntBuf counters, int rows, int cols) {
        long t0 = start();
        target.scatterRows(table, src, index, counters, rows, cols);
        stop("scatterRows", t0, 0);
    }

    @Override
    public void im2col(Buf cols, Buf x, Patches p, int batch) {
        long t0 = start();
        target.im2col(cols, x, p, batch);
        stop("im2col", t0, 0);
    }

    @Override
    public void col2im(Buf dx, Buf dcols, Patches p, int batch) {
        long t0 = start();
        target.col2im(dx, dcols, p, batch);
        stop("col2im", t0, 0);
    }

    @Override
    public void shiftImages(Buf out, Buf in, int rows, int height, int width, int channels, int maxShift, float fill,
                            long seed, IntBuf counters, int stream) {
        long t0 = start();
        target.shiftImages(out, in, rows, height, width, channels, maxShift, fill, seed, counters, stream);
        stop("shiftImages", t0, 0);
    }

    @Override
    public void increment(IntBuf counters, int index, int delta) {
        long t0 = start();
        target.increment(counters, index, delta);
        stop("increment", t0, 0);
    }

    @Override
    public void adamStep(Buf params, Buf grads, Buf m, Buf v, long n, IntBuf counters, AdamSpec spec) {
        long t0 = start();
        target.adamStep(params, grads, m, v, n, counters, spec);
        stop("adamStep", t0, 0);
    }

    // ---- forwarded untimed: memory, identity, execution ---------------------------------------

    @Override
    public String name() {
        return target.name();
    }

    @Override
    public String describe() {
        return target.describe();
    }

    @Override
    public Buf alloc(long n) {
        return target.alloc(n);
    }

    @Override
    public IntBuf allocInt(long n) {
        return target.allocInt(n);
    }

    @Override
    public void upload(Buf dst, long dstOff, float[] src, int srcOff, int n) {
        target.upload(dst, dstOff, src, srcOff, n);
    }

    @Override
    public void uploadInt(IntBuf dst, long dstOff, int[] src, int srcOff, int n) {
        target.uploadInt(dst, dstOff, src, srcOff, n);
    }

    @Override
    public void download(float[] dst, int dstOff, Buf src, long srcOff, int n) {
        target.download(dst, dstOff, src, srcOff, n);
    }

    @Override
    public void downloadInt(int[] dst, int dstOff, IntBuf src, long srcOff, int n) {
        target.downloadInt(dst, dstOff, src, srcOff, n);
    }

    @Override
    public void repeatable(String key, Runnable body) {
        target.repeatable(key, body);
    }

    @Override
    public void synchronize() {
        target.synchronize();
    }

    @Override
    public PhaseTimer timer() {
        return target.timer();
    }

    /** Does not close the profiled backend: it belongs to the caller. */
    @Override
    public void close() {
    }
}
