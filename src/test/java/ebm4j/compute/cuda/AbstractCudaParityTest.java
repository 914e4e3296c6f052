package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import ebm4j.compute.AdamSpec;
import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.HybridLossSpec;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.compute.Parity;
import ebm4j.compute.cpu.CpuBackend;

/**
 * CUDA backend against the CPU reference, op by op with identical inputs on the model's shapes,
 * then a whole training step (Langevin step, stacked forward/backward, hybrid loss, Adam), then
 * the same step captured with {@code repeatable()} and replayed. Subclasses supply the CUDA
 * backend: the real GPU ({@link CudaParityTest}) or the host emulator of the kernels
 * ({@link CudaEmulatedParityTest}, smaller shapes because it runs every CUDA thread as a host
 * thread).
 *
 * <p>Tolerances: GEMMs atol = rtol = 1e-5 * max(1, K/64) (summation order differs from the
 * CPU's BLAS); exp/log ops 2e-6 (double math rounded once on both sides, library ulps);
 * everything else bit for bit: bias add, ELU backward, column sums (same order), clamp, gather,
 * counters and all Philox ops; Adam to 1e-6 relative (its only library call is pow in double).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractCudaParityTest {
    private Backend gpu;
    private CpuBackend cpu;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The CUDA backend under test, or an aborted assumption when there is none. */
    protected abstract Backend openGpu();

    /** Rows of one real batch (the stacked pass has twice as many). */
    protected int batch() {
        return 64;
    }

    /** Layer widths, input first. */
    protected int[] dims() {
        return new int[] {784, 512, 512, 512, 10};
    }

    @BeforeAll
    void open() {
        gpu = openGpu();
        cpu = new CpuBackend();
    }

    @AfterAll
    void closeBackends() {
        if (gpu != null) gpu.close();
        if (cpu != null) cpu.close();
    }

    @AfterEach
    void closeBuffers() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) opened.get(i).close();
        opened.clear();
    }

    // ---- twins: the same host data on both backends ----------------------------------------------

    /** A float buffer on both backends with the same contents. */
    final class Twin {
        final Buf c;
        final Buf g;

        Twin(float[] data) {
            c = cpu.alloc(data.length);
            g = gpu.alloc(data.length);
            opened.add(c);
            opened.add(g);
            cpu.upload(c, data);
            gpu.upload(g, data);
        }

        Buf on(Backend b) {
            return b == cpu ? c : g;
        }
    }

    final class IntTwin {
        final IntBuf c;
        final IntBuf g;

        IntTwin(int[] data) {
            c = cpu.allocInt(data.length);
            g = gpu.allocInt(data.length);
            opened.add(c);
            opened.add(g);
            cpu.uploadInt(c, 0, data, 0, data.length);
            gpu.uploadInt(g, 0, data, 0, data.length);
        }

        IntBuf on(Backend b) {
            return b == cpu ? c : g;
        }
    }

    private static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return out;
    }

    private Twin twin(long seed, int n, float lo, float hi) {
        return new Twin(uniform(seed, n, lo, hi));
    }

    private IntTwin counters(long step, int adamT, int cursor) {
        return new IntTwin(new int[] {(int) step, (int) (step >>> 32), adamT, cursor});
    }

    private void both(Consumer<Backend> op) {
        op.accept(cpu);
        op.accept(gpu);
    }

    private void close(String what, Twin t, float atol, float rtol) {
        Parity.assertClose(what, cpu.download(t.c), gpu.download(t.g), atol, rtol);
    }

    private void bits(String what, Twin t) {
        Parity.assertBitEqual(what, cpu.download(t.c), gpu.download(t.g));
    }

    private static float gemmTol(int k) {
        return 1e-5f * Math.max(1f, k / 64f);
    }

    // ---- op by op --------------------------------------------------------------------------------

    @Test
    void everyGemmOfTheModelMatchesTheCpu() {
        int[] d = dims();
        int rows = 2 * batch();
        for (int l = 0; l + 1 < d.length; l++) {
            int in = d[l], out = d[l + 1];
            Twin x = twin(100 + l, rows * in, -1, 1), w = twin(200 + l, in * out, -0.1f, 0.1f);
            Twin y = twin(300 + l, rows * out, -1, 1), dy = twin(400 + l, rows * out, -0.01f, 0.01f);
            Twin dw = twin(500 + l, in * out, -1, 1), dx = twin(600 + l, rows * in, -1, 1);
            both(b -> b.gemm(false, false, rows, out, in, 1f, x.on(b), in, w.on(b), out, 0f, y.on(b), out));
            close("forward X·W layer " + l, y, gemmTol(in), gemmTol(in));
            both(b -> b.gemm(false, true, rows, in, out, 1f, dy.on(b), out, w.on(b), out, 0f, dx.on(b), in));
            close("backward dY·W^T layer " + l, dx, gemmTol(out), gemmTol(out));
            both(b -> b.gemm(true, false, in, out, rows, 1f, x.on(b), in, dy.on(b), out, 1f, dw.on(b), out));
            close("weight gradient X^T·dY + dW layer " + l, dw, gemmTol(rows), gemmTol(rows));
        }
    }

    @Test
    void everyElementwiseOpMatchesTheCpu() {
        int rows = 2 * batch(), cols = dims()[1], n = rows * cols;
        Twin h = twin(1, n, -3, 3), bias = twin(2, cols, -0.5f, 0.5f);
        both(b -> b.biasElu(h.on(b), bias.on(b), rows, cols));
        bits("biasElu", h);   // expm1 from fmaf and exact float ops only: same bits on any IEEE device
        Twin a = twin(3, n, -3, 3);
        both(b -> b.addBias(a.on(b), bias.on(b), rows, cols));
        bits("addBias", a);
        Twin grad = twin(4, n, -1, 1);
        both(b -> b.eluBackward(grad.on(b), h.on(b), n));
        bits("eluBackward", grad);
        Twin sums = twin(5, cols, -1, 1);
        both(b -> b.columnSums(sums.on(b), grad.on(b), rows, cols, 0f));
        bits("columnSums beta 0", sums);
        both(b -> b.columnSums(sums.on(b), grad.on(b), rows, cols, 1f));
        bits("columnSums beta 1", sums);
        Twin x = twin(6, n, -3, 3);
        both(b -> b.clamp(x.on(b), n, -1f, 1f));
        bits("clamp", x);
        both(b -> b.fill(x.on(b), n - 7, 0.25f));
        bits("fill", x);
        Twin y = twin(7, n, -1, 1);
        both(b -> b.copy(y.on(b).slice(3, n - 3), x.on(b).slice(1, n - 1), n - 5));
        bits("copy", y);
    }

    @Test
    void energiesAndTheLossMatchTheCpu() {
        int classes = dims()[dims().length - 1], rows = 2 * batch();
        Twin s = twin(11, rows * classes, -6, 6);
        for (float sign : new float[] {1f, -1f}) {
            Twin d = twin(12, rows * classes, 0, 1), e = twin(13, rows, 0, 1);
            both(b -> b.energyGrad(d.on(b), e.on(b), s.on(b), rows, classes, sign));
            close("energyGrad sign " + sign, d, 2e-6f, 2e-6f);
            close("energy sign " + sign, e, 2e-6f, 2e-6f);
        }
        int[] labels = new int[batch()];
        for (int i = 0; i < labels.length; i++) labels[i] = (i * 7 + 3) % classes;
        IntTwin y = new IntTwin(labels);
        for (HybridLossSpec spec : new HybridLossSpec[] {HybridLossSpec.REFERENCE,
                new HybridLossSpec(-1f, 0.7f, 0.1f), new HybridLossSpec(1f, 0f, 0f),
                new HybridLossSpec(-1f, 0f, 0f, true), new HybridLossSpec(1f, 0.7f, 0.1f, true),
                new HybridLossSpec(-1f, -0.05f, 0.01f, true)}) {
            Twin d = twin(14, rows * classes, 0, 1);
            Twin stats = new Twin(new float[] {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f});
            both(b -> b.hybridLossGrad(d.on(b), stats.on(b), s.on(b), y.on(b), batch(), classes, spec));
            close("hybridLossGrad dScores " + spec, d, 2e-6f, 2e-6f);
            close("hybridLossGrad stats " + spec, stats, 1e-5f, 1e-6f);
        }
    }

    @Test
    void randomOpsAreBitIdentical() {
        int n = 2 * batch() * dims()[0] + 3;
        long seed = 0x5EEDL << 40 | 77;
        IntTwin c = counters((3L << 32) | 0xFFFF_FFF0L, 0, 0);
        Twin u = twin(21, n, 0, 1);
        both(b -> b.uniformFill(u.on(b), n, -1f, 1f, seed, c.on(b), 1));
        bits("uniformFill", u);
        for (float clip : new float[] {0f, 0.01f}) {
            Twin x = twin(22, n, -1, 1), g = twin(23, n, -0.05f, 0.05f);
            both(b -> b.langevinUpdate(x.on(b), g.on(b), n, 0.1f, 0.01f, clip, seed, c.on(b), 16));
            bits("langevinUpdate clip " + clip, x);
        }
        Twin z = twin(24, n, -1, 1);
        both(b -> b.addNoise(z.on(b).slice(5, n - 5), n - 5, 0.3f, seed, c.on(b), 2));
        bits("addNoise", z);
    }

    @Test
    void dataCountersAndAdamMatchTheCpu() {
        int cols = dims()[0], tableRows = 3 * batch() + 5, rows = batch();
        Twin table = twin(31, tableRows * cols, -1, 1);
        int[] labels = new int[tableRows];
        int[] perm = new int[tableRows];
        SplittableRandom r = new SplittableRandom(32);
        for (int i = 0; i < tableRows; i++) {
            labels[i] = r.nextInt(10);
            perm[i] = i;
        }
        for (int i = tableRows - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        IntTwin y = new IntTwin(labels), p = new IntTwin(perm), c = counters(0, 0, batch() + 3);
        Twin out = twin(33, rows * cols, 0, 1);
        IntTwin yOut = new IntTwin(new int[rows]);
        both(b -> b.gatherRows(out.on(b), yOut.on(b), table.on(b), y.on(b), p.on(b), c.on(b), rows, cols));
        bits("gatherRows", out);
        assertArrayEquals(cpu.downloadInt(yOut.c), gpu.downloadInt(yOut.g), "gathered labels");

        IntTwin k = counters(0xFFFF_FFFFL, 7, 11);
        both(b -> {
            b.increment(k.on(b), Counters.STEP_LO, 1);
            b.increment(k.on(b), Counters.ADAM_T, 1);
            b.increment(k.on(b), Counters.CURSOR, batch());
        });
        assertArrayEquals(cpu.downloadInt(k.c), gpu.downloadInt(k.g), "counters");

        int n = parameterCount();
        Twin params = twin(34, n, -0.1f, 0.1f), grads = twin(35, n, -0.01f, 0.01f);
        Twin m = twin(36, n, -1e-3f, 1e-3f), v = twin(37, n, 0f, 1e-5f);
        IntTwin t = counters(0, 41, 0);
        AdamSpec spec = new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 100, 1000);
        both(b -> b.adamStep(params.on(b), grads.on(b), m.on(b), v.on(b), n, t.on(b), spec));
        bits("adam m", m);
        bits("adam v", v);
        close("adam params", params, 0f, 1e-6f);
    }

    // ---- a whole training step ----------------------------------------------------------------------

    private int parameterCount() {
        int[] d = dims();
        int n = 0;
        for (int l = 0; l + 1 < d.length; l++) n += d[l] * d[l + 1] + d[l + 1];
        return n;
    }

    /** The state of one training step on one backend: all of it lives in these buffers. */
    private final class StepState {
        final Twin params, grads, m, v, real, samples, stacked, stats;
        final Twin[] acts;       // activations of the stacked pass, per layer output
        final Twin[] dActs;      // their gradients
        final Twin dx;
        final IntTwin labels, counters;

        StepState() {
            int[] d = dims();
            int rows = 2 * batch();
            params = twin(41, parameterCount(), -0.08f, 0.08f);
            grads = twin(42, parameterCount(), 0, 0);
            m = twin(43, parameterCount(), 0, 0);
            v = twin(44, parameterCount(), 0, 0);
            real = twin(45, batch() * d[0], -1, 1);
            samples = twin(46, batch() * d[0], -1, 1);
            stacked = twin(47, rows * d[0], 0, 0);
            stats = twin(48, LossStats.SIZE, 0, 0);
            dx = twin(49, rows * d[0], 0, 0);
            acts = new Twin[d.length];
            dActs = new Twin[d.length];
            for (int l = 1; l < d.length; l++) {
                acts[l] = twin(50 + l, rows * d[l], 0, 0);
                dActs[l] = twin(60 + l, rows * d[l], 0, 0);
            }
            int[] y = new int[batch()];
            for (int i = 0; i < y.length; i++) y[i] = (i * 3 + 1) % d[d.length - 1];
            labels = new IntTwin(y);
            counters = counters(12, 0, 0);
        }

        Buf weight(Backend b, Twin flat, int layer) {
            return flat.on(b).slice(offset(layer), (long) dims()[layer] * dims()[layer + 1]);
        }

        Buf bias(Backend b, Twin flat, int layer) {
            return flat.on(b).slice(offset(layer) + (long) dims()[layer] * dims()[layer + 1], dims()[layer + 1]);
        }

        private long offset(int layer) {
            long o = 0;
            for (int l = 0; l < layer; l++) o += (long) dims()[l] * dims()[l + 1] + dims()[l + 1];
            return o;
        }

        /** Forward over rows of x; returns the scores. */
        Buf forward(Backend b, Buf x, int rows) {
            int[] d = dims();
            Buf in = x;
            for (int l = 0; l + 1 < d.length; l++) {
                Buf out = acts[l + 1].on(b).slice(0, (long) rows * d[l + 1]);
                b.gemm(false, false, rows, d[l + 1], d[l], 1f, in, d[l], weight(b, params, l), d[l + 1], 0f, out, d[l + 1]);
                if (l + 2 < d.length) b.biasElu(out, bias(b, params, l), rows, d[l + 1]);
                else b.addBias(out, bias(b, params, l), rows, d[l + 1]);
                in = out;
            }
            return in;
        }

        /** Backward from dScores (in dActs[last]); weight gradients when asked, data gradient into dx. */
        void backward(Backend b, Buf x, int rows, boolean weights) {
            int[] d = dims();
            for (int l = d.length - 2; l >= 0; l--) {
                Buf dOut = dActs[l + 1].on(b).slice(0, (long) rows * d[l + 1]);
                Buf in = l == 0 ? x : acts[l].on(b).slice(0, (long) rows * d[l]);
                if (weights) {
                    b.gemm(true, false, d[l], d[l + 1], rows, 1f, in, d[l], dOut, d[l + 1], 0f, weight(b, grads, l), d[l + 1]);
                    b.columnSums(bias(b, grads, l), dOut, rows, d[l + 1], 0f);
                }
                Buf dIn = l == 0 ? dx.on(b).slice(0, (long) rows * d[0]) : dActs[l].on(b).slice(0, (long) rows * d[l]);
                if (l > 0 || !weights) {
                    b.gemm(false, true, rows, d[l], d[l + 1], 1f, dOut, d[l + 1], weight(b, params, l), d[l + 1], 0f, dIn, d[l]);
                }
                if (l > 0) b.eluBackward(dIn, acts[l].on(b), (long) rows * d[l]);
            }
        }

        /** One training step, queued on b: Langevin step on the samples, stacked pass, loss, Adam. */
        void step(Backend b) {
            int[] d = dims();
            int rows = batch(), classes = d[d.length - 1];
            long n = (long) rows * d[0];
            Buf scores = forward(b, samples.on(b), rows);
            b.energyGrad(dActs[d.length - 1].on(b).slice(0, (long) rows * classes), null, scores, rows, classes, 1f);
            backward(b, samples.on(b), rows, false);
            b.langevinUpdate(samples.on(b), dx.on(b), n, 0.1f, 0.01f, 0f, 99, counters.on(b), 16);
            b.clamp(samples.on(b), n, -1f, 1f);
            b.copy(stacked.on(b), real.on(b), n);
            b.copy(stacked.on(b).slice(n, n), samples.on(b), n);
            Buf s = forward(b, stacked.on(b), 2 * rows);
            b.hybridLossGrad(dActs[d.length - 1].on(b), stats.on(b), s, labels.on(b), rows, classes,
                    new HybridLossSpec(1f, 1f, 0.1f));
            backward(b, stacked.on(b), 2 * rows, true);
            b.adamStep(params.on(b), grads.on(b), m.on(b), v.on(b), parameterCount(), counters.on(b),
                    AdamSpec.standard(1e-3f));
            b.increment(counters.on(b), Counters.ADAM_T, 1);
            b.increment(counters.on(b), Counters.STEP_LO, 1);
        }

        List<float[]> download(Backend b) {
            List<float[]> out = new ArrayList<>();
            for (Twin t : new Twin[] {samples, grads, stats, m, v, params}) out.add(b.download(t.on(b)));
            int[] c = b.downloadInt(counters.on(b));
            float[] cf = new float[c.length];
            for (int i = 0; i < c.length; i++) cf[i] = Float.intBitsToFloat(c[i]);
            out.add(cf);
            return out;
        }
    }

    @Test
    void aTrainingStepMatchesTheCpu() {
        StepState s = new StepState();
        s.step(cpu);
        s.step(gpu);
        List<float[]> c = s.download(cpu), g = s.download(gpu);
        // samples: Langevin noise identical, the gradient term differs by GEMM rounding only
        Parity.assertClose("samples after a Langevin step", c.get(0), g.get(0), 1e-5f, 1e-4f);
        Parity.assertClose("weight gradients", c.get(1), g.get(1), 1e-5f, 1e-3f);
        Parity.assertClose("loss statistics", c.get(2), g.get(2), 1e-4f, 1e-4f);
        Parity.assertClose("Adam m", c.get(3), g.get(3), 1e-6f, 1e-3f);
        Parity.assertBitEqual("counters", c.get(6), g.get(6));
    }

    @Test
    void aCapturedStepReplaysBitForBitLikeTheEagerOne() {
        StepState s = new StepState();
        List<float[]> initial = s.download(gpu);
        s.step(gpu);
        List<float[]> eager = s.download(gpu);
        List<float[]> second = stepAgain(s, initial, null);
        List<float[]> captured = stepAgain(s, initial, "parity-step");   // capture + first launch
        List<float[]> replayed = stepAgain(s, initial, "parity-step");   // replay
        String[] names = {"samples", "grads", "stats", "m", "v", "params", "counters"};
        for (int i = 0; i < names.length; i++) {
            Parity.assertBitEqual(names[i] + ": eager twice", eager.get(i), second.get(i));
            Parity.assertBitEqual(names[i] + ": captured vs eager", eager.get(i), captured.get(i));
            Parity.assertBitEqual(names[i] + ": replayed vs eager", eager.get(i), replayed.get(i));
        }
        assertEquals(13L, Counters.step(gpu.downloadInt(s.counters.g)), "the step counter advanced once");
    }

    /** Restores the GPU state to {@code initial}, runs one step (through a graph if key != null). */
    private List<float[]> stepAgain(StepState s, List<float[]> initial, String key) {
        Twin[] state = {s.samples, s.grads, s.stats, s.m, s.v, s.params};
        for (int i = 0; i < state.length; i++) gpu.upload(state[i].g, initial.get(i));
        float[] cf = initial.get(6);
        int[] c = new int[cf.length];
        for (int i = 0; i < c.length; i++) c[i] = Float.floatToRawIntBits(cf[i]);
        gpu.uploadInt(s.counters.g, 0, c, 0, c.length);
        if (key == null) s.step(gpu);
        else gpu.repeatable(key, () -> s.step(gpu));
        return s.download(gpu);
    }
}
