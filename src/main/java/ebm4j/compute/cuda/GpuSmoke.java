package ebm4j.compute.cuda;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import ebm4j.compute.Counters;
import jcuda.driver.CUdeviceptr;

/**
 * The first program to run on a GPU machine ({@code scripts/gpu-check.sh} starts it in a JVM of
 * its own): the fewest driver calls that show the CUDA path works, one stage at a time, each
 * printed before it starts and again when it passes. A crash inside the driver kills the JVM, so
 * the last line of the output names the stage that was running; a failed check names the stage,
 * the buffer and the first wrong element.
 *
 * <p>Stages: probe the driver; open device 0 (context, kernel module, stream, GEMM engine);
 * round-trip a buffer; one eager kernel launch; capture a graph of a memset, a device copy and
 * two kernels without running them; replay it three times; replay it after new input (a replay
 * reads memory when it runs, not when it was captured); time replays with events; a GEMM eager
 * and captured against a float64 host product; close. It goes through {@link Device} directly,
 * under the backend, so a failure here is the driver's or the kernels', not the backend's logic.
 *
 * <p>Exit codes: {@value #PASSED} every stage passed, {@value #FAILED} a stage failed,
 * {@value #SKIPPED} no usable GPU (the line {@code smoke: skipped: no GPU (reason)} says why).
 * Run: {@code java -cp 'ebm4j.jar:lib/*' ebm4j.compute.cuda.GpuSmoke}; the GEMM engine follows
 * {@link CudaBackend#GEMM_PROPERTY} like the backend.
 */
public final class GpuSmoke {
    public static final int PASSED = 0;
    public static final int FAILED = 1;
    public static final int SKIPPED = 3;

    /** Stage names, in order; each output line carries "[i/N] name". */
    static final String[] STAGES = {
        "probe the CUDA driver",
        "open device 0 (context, kernel module, stream, GEMM engine)",
        "upload and download a buffer",
        "launch one kernel (fill)",
        "capture a graph: memset, copy, clamp kernel, increment kernel",
        "replay the graph 3 times",
        "replay the graph after new input",
        "time 20 replays with events",
        "GEMM eager and captured vs float64 host product",
        "close the device",
    };

    /** Elements of the test buffers on a GPU: not a multiple of any block or grid size. */
    static final int GPU_ELEMENTS = (1 << 20) + 7;

    private static final float MEMSET_VALUE = -2.5f;
    private static final float CLAMP_LO = -0.5f;
    private static final float CLAMP_HI = 0.5f;
    /** The counters word the captured increment node bumps (not the 64-bit step pair). */
    private static final int REPLAY_COUNTER = Counters.ADAM_T;
    private static final int GEMM_M = 96;
    private static final int GEMM_N = 80;
    /** The model's input width: deep enough that the GEMM kernel splits K on a large GPU. */
    private static final int GEMM_K = 784;

    private final PrintStream out;
    private final int elements;
    private int stage;
    private long started;

    /** A smoke test that writes its lines to {@code out} and uses buffers of {@code elements} floats. */
    GpuSmoke(PrintStream out, int elements) {
        this.out = out;
        this.elements = elements;
    }

    public static void main(String[] args) {
        String gemm = System.getProperty(CudaBackend.GEMM_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        int code = new GpuSmoke(System.out, GPU_ELEMENTS).run(CudaProbe::problem, () -> new DriverDevice(0, gemm));
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs every stage. {@code probe} returns null when a GPU is usable, else the reason (then
     * nothing is opened and the result is {@link #SKIPPED}); {@code open} opens the device.
     */
    int run(Supplier<String> probe, Supplier<Device> open) {
        started = System.nanoTime();
        stage = 0;
        Device device = null;
        try {
            stage(() -> {
                String problem = probe.get();
                if (problem != null) throw new NoGpu(problem);
                return "a GPU is usable";
            });
            Device[] opened = new Device[1];
            stage(() -> {
                opened[0] = open.get();
                return opened[0].describe() + ", GEMM " + opened[0].gemm().describe();
            });
            device = opened[0];
            String describe = device.describe();
            stages(device);
            Device closing = device;
            device = null;
            stage(() -> {
                closing.close();
                return null;
            });
            out.printf(Locale.ROOT, "smoke: PASS: %d stages in %.0f ms on %s%n", STAGES.length,
                    (System.nanoTime() - started) / 1e6, describe);
            return PASSED;
        } catch (NoGpu e) {
            out.println("smoke: skipped: no GPU (" + e.getMessage() + ")");
            return SKIPPED;
        } catch (Throwable t) {
            out.printf(Locale.ROOT, "smoke: FAIL at [%d/%d] %s: %s%n", stage, STAGES.length,
                    STAGES[Math.max(0, stage - 1)], CudaProbe.oneLine(String.valueOf(t)));
            t.printStackTrace(out);
            if (device != null) {
                try {
                    device.close();
                } catch (Throwable closing) {
                    out.println("smoke: closing the device after the failure also failed: "
                            + CudaProbe.oneLine(String.valueOf(closing)));
                }
            }
            return FAILED;
        } finally {
            out.flush();
        }
    }

    /** The probe's answer when no GPU is usable: the smoke test is skipped, not failed. */
    private static final class NoGpu extends Exception {
        private static final long serialVersionUID = 1L;

        NoGpu(String reason) {
            super(reason);
        }
    }

    /** A stage's work; returns a detail for its "ok" line, or null. */
    @FunctionalInterface
    private interface Body {
        String run() throws Exception;
    }

    /** Prints the stage, runs it, prints "ok" with its time; returns the body's detail. */
    private String stage(Body body) throws Exception {
        String name = STAGES[stage++];
        out.printf(Locale.ROOT, "smoke: [%d/%d] %s ...%n", stage, STAGES.length, name);
        out.flush();
        long t0 = System.nanoTime();
        String detail = body.run();
        out.printf(Locale.ROOT, "smoke: [%d/%d] %s ok (%.1f ms)%s%n", stage, STAGES.length, name,
                (System.nanoTime() - t0) / 1e6, detail == null ? "" : ": " + detail);
        out.flush();
        return detail;
    }

    /** Stages 3 to 9, on an open device. Buffers are freed by the device's close. */
    private void stages(Device device) throws Exception {
        int n = elements;
        long bytes = (long) n * Float.BYTES;
        float[] input = uniform(1, n, -1f, 1f);
        CUdeviceptr a = device.allocate(bytes).ptr;
        CUdeviceptr b = device.allocate(bytes).ptr;
        CUdeviceptr c = device.allocate(bytes).ptr;
        // the increment kernel's own layout (Counters): one word of it counts the replays
        CUdeviceptr counter = device.allocate((long) Counters.SIZE * Integer.BYTES).ptr;

        stage(() -> {
            upload(device, a, input);
            upload(device, c, filled(n, Float.NaN));
            upload(device, b, filled(n, Float.NaN));
            uploadInts(device, counter, new int[Counters.SIZE]);
            expectBits("a after the round trip", input, download(device, a, n));
            return String.format(Locale.ROOT, "%d floats (%.1f MiB) each way", n, bytes / 1048576.0);
        });

        stage(() -> {
            device.launch(Launch.of(Kernel.FILL, grid(device, n), KernelOps.THREADS).ptr(c).i64(n).f32(0.25f));
            device.synchronize();
            expectBits("c after fill(0.25)", filled(n, 0.25f), download(device, c, n));
            return null;
        });

        Device.Graph[] graph = new Device.Graph[1];
        stage(() -> {
            device.beginCapture();
            device.memsetD32(b, Float.floatToRawIntBits(MEMSET_VALUE), n);
            device.copy(c, a, bytes);
            device.launch(Launch.of(Kernel.CLAMP, grid(device, n), KernelOps.THREADS)
                    .ptr(c).i64(n).f32(CLAMP_LO).f32(CLAMP_HI));
            device.launch(Launch.of(Kernel.INCREMENT, 1, 1).ptr(counter).i32(REPLAY_COUNTER).i32(1));
            graph[0] = device.endCapture();
            // a capture records work without running it
            expectBits("b after the capture (must be untouched)", filled(n, Float.NaN), download(device, b, n));
            expectBits("c after the capture (must be untouched)", filled(n, 0.25f), download(device, c, n));
            expectCounter(device, counter, 0, "after the capture");
            return "4 nodes, none ran during the capture";
        });

        stage(() -> {
            for (int i = 0; i < 3; i++) graph[0].launch();
            device.synchronize();
            expectBits("b (memset node)", filled(n, MEMSET_VALUE), download(device, b, n));
            expectBits("c (copy node, then clamp node)", clamped(input), download(device, c, n));
            expectCounter(device, counter, 3, "after 3 replays");
            return null;
        });

        stage(() -> {
            float[] next = uniform(2, n, -2f, 2f);
            upload(device, a, next);
            upload(device, b, filled(n, 7f));
            graph[0].launch();
            device.synchronize();
            expectBits("b (memset node, after b was overwritten)", filled(n, MEMSET_VALUE), download(device, b, n));
            expectBits("c (copy of the new a, clamped)", clamped(next), download(device, c, n));
            expectCounter(device, counter, 4, "after the 4th replay");
            return null;
        });

        stage(() -> {
            int replays = 20;
            try (Device.Event start = device.newEvent(); Device.Event end = device.newEvent()) {
                start.record();
                for (int i = 0; i < replays; i++) graph[0].launch();
                end.record();
                device.synchronize();
                float ms = end.millisSince(start);
                if (!(ms >= 0f) || Float.isInfinite(ms)) {
                    throw new IllegalStateException("event time " + ms + " ms is not a finite duration");
                }
                expectCounter(device, counter, 4 + replays, "after the timed replays");
                return String.format(Locale.ROOT, "%.1f us per replay of 4 nodes over %d floats",
                        ms * 1000f / replays, n);
            } finally {
                graph[0].close();
            }
        });

        stage(() -> gemm(device));
    }

    /** C = A·B (row-major, A m×k, B k×n) eager and through a graph, each against a float64 product. */
    private String gemm(Device device) {
        int m = GEMM_M, nn = GEMM_N, k = GEMM_K;
        float[] ha = uniform(3, m * k, -1f, 1f), hb = uniform(4, k * nn, -1f, 1f);
        double[] expected = new double[m * nn];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < nn; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) ha[i * k + p] * hb[p * nn + j];
                expected[i * nn + j] = s;
            }
        }
        CUdeviceptr a = device.allocate((long) m * k * Float.BYTES).ptr;
        CUdeviceptr b = device.allocate((long) k * nn * Float.BYTES).ptr;
        CUdeviceptr c = device.allocate((long) m * nn * Float.BYTES).ptr;
        upload(device, a, ha);
        upload(device, b, hb);
        upload(device, c, filled(m * nn, Float.NaN));   // beta 0 must overwrite, NaN included
        device.gemm().gemm(false, false, m, nn, k, 1f, a, k, b, nn, 0f, c, nn);
        device.synchronize();
        float[] eager = download(device, c, m * nn);
        // float rounding over k terms of size ~1: a wrong or missing term is >= 1e-3
        double tol = 1e-5 * Math.max(1, k / 64.0);
        double eagerErr = maxError("eager GEMM", expected, eager, tol);

        upload(device, c, filled(m * nn, Float.NaN));
        device.beginCapture();
        device.gemm().gemm(false, false, m, nn, k, 1f, a, k, b, nn, 0f, c, nn);
        try (Device.Graph g = device.endCapture()) {
            g.launch();
            device.synchronize();
        }
        float[] captured = download(device, c, m * nn);
        double capturedErr = maxError("captured GEMM", expected, captured, tol);
        boolean same = Arrays.equals(eager, captured);
        return String.format(Locale.ROOT, "%dx%dx%d, max |error| eager %.2e, captured %.2e (tolerance %.1e);"
                + " captured %s eager", m, nn, k, eagerErr, capturedErr, tol, same ? "bit-identical to" : "differs from");
    }

    // ---- checks -----------------------------------------------------------------------------------

    private static void expectBits(String what, float[] expected, float[] actual) {
        int wrong = 0, first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                if (first < 0) first = i;
                wrong++;
            }
        }
        if (wrong > 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s: %d of %d elements wrong; first [%d] = %s,"
                    + " expected %s", what, wrong, expected.length, first, actual[first], expected[first]));
        }
    }

    private static double maxError(String what, double[] expected, float[] actual, double tol) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= tol * (1 + Math.abs(expected[i])))) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%s: C[%d] = %s, expected %.7g"
                        + " (tolerance %.1e)", what, i, actual[i], expected[i], tol));
            }
            worst = Math.max(worst, err);
        }
        return worst;
    }

    private static void expectCounter(Device device, CUdeviceptr counter, int expected, String when) {
        int[] v = new int[Counters.SIZE];
        device.download(counter, 0, v.length, (bb, from, count) -> bb.asIntBuffer().get(v, from, count));
        if (v[REPLAY_COUNTER] != expected) {
            throw new IllegalStateException("replay counter " + when + " is " + v[REPLAY_COUNTER] + ", expected " + expected
                    + " (each replay runs the increment node once)");
        }
    }

    // ---- host data --------------------------------------------------------------------------------

    private static int grid(Device device, long work) {
        return KernelOps.grid(work, KernelOps.gridCap(device.multiprocessors()));
    }

    private static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * (float) r.nextDouble();
        return x;
    }

    private static float[] filled(int n, float value) {
        float[] x = new float[n];
        Arrays.fill(x, value);
        return x;
    }

    private static float[] clamped(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] < CLAMP_LO ? CLAMP_LO : x[i] > CLAMP_HI ? CLAMP_HI : x[i];
        return y;
    }

    private static void upload(Device device, CUdeviceptr dst, float[] src) {
        device.upload(dst, 0, src.length, (bb, from, count) -> bb.asFloatBuffer().put(src, from, count));
    }

    private static void uploadInts(Device device, CUdeviceptr dst, int[] v) {
        device.upload(dst, 0, v.length, (bb, from, count) -> bb.asIntBuffer().put(v, from, count));
    }

    private static float[] download(Device device, CUdeviceptr src, int n) {
        float[] x = new float[n];
        device.download(src, 0, n, (bb, from, count) -> bb.asFloatBuffer().get(x, from, count));
        return x;
    }
}
