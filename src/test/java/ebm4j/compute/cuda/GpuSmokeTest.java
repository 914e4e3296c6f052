package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * {@link GpuSmoke}: its no-GPU path (also through its main, as {@code scripts/gpu-check.sh} starts
 * it), every stage over the emulated device, and that each kind of broken device makes it fail
 * at the stage that shows the breakage, named in its last line.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GpuSmokeTest {
    /** Small buffers: the emulator runs every CUDA thread on the host. */
    private static final int ELEMENTS = 4099;

    private record Outcome(int code, List<String> lines) {
        String last() {
            return lines.stream().filter(l -> l.startsWith("smoke: ")).reduce((a, b) -> b).orElse("");
        }
    }

    private static Outcome smoke(Supplier<String> probe, Supplier<Device> open) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new GpuSmoke(new PrintStream(bytes, true, StandardCharsets.UTF_8), ELEMENTS).run(probe, open);
        return new Outcome(code, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private static void requireEmulator() {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
    }

    @Test
    void withoutAGpuItSkipsWithTheReasonAndOpensNothing() {
        Outcome o = smoke(() -> "no NVIDIA driver: libcuda.so.1 cannot be opened",
                () -> fail("the device must not be opened without a GPU"));
        assertEquals(GpuSmoke.SKIPPED, o.code(), String.join("\n", o.lines()));
        assertEquals(List.of("smoke: [1/10] probe the CUDA driver ...",
                "smoke: skipped: no GPU (no NVIDIA driver: libcuda.so.1 cannot be opened)"), o.lines());
    }

    /** The real entry point in a JVM of its own: exit code and last line as the script reads them. */
    @Test
    void mainReportsWhatTheProbeFindsOnThisMachine() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), GpuSmoke.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "GpuSmoke did not finish: " + out);
        String problem = CudaProbe.problem();
        if (problem != null) {
            assertEquals(GpuSmoke.SKIPPED, p.exitValue(), out);
            assertTrue(out.contains("smoke: skipped: no GPU (" + problem + ")"), out);
        } else {
            assertEquals(GpuSmoke.PASSED, p.exitValue(), out);
            assertTrue(out.contains("smoke: PASS: 10 stages"), out);
        }
    }

    @Test
    void everyStagePassesOnTheEmulatedDevice() {
        requireEmulator();
        Outcome o = smoke(() -> null, () -> new EmulatedDevice(4));
        assertEquals(GpuSmoke.PASSED, o.code(), String.join("\n", o.lines()));
        List<String> oks = o.lines().stream().filter(l -> l.contains(" ok (")).toList();
        assertEquals(GpuSmoke.STAGES.length, oks.size(), String.join("\n", o.lines()));
        for (int i = 0; i < GpuSmoke.STAGES.length; i++) {
            String prefix = "smoke: [" + (i + 1) + "/10] " + GpuSmoke.STAGES[i] + " ok (";
            assertTrue(oks.get(i).startsWith(prefix), "stage " + (i + 1) + ": " + oks.get(i));
        }
        assertTrue(o.lines().stream().anyMatch(l -> l.contains("captured bit-identical to eager")),
                String.join("\n", o.lines()));
        assertTrue(o.last().startsWith("smoke: PASS: 10 stages"), o.last());
    }

    @Test
    void aGraphWhoseReplaysDoNothingFailsAtTheReplayStage() {
        requireEmulator();
        Outcome o = smoke(() -> null, () -> new ForwardingDevice(new EmulatedDevice(4)) {
            @Override
            public Graph endCapture() {
                Graph g = super.endCapture();
                return new Graph() {
                    @Override
                    public void launch() {
                        // lost: nothing runs
                    }

                    @Override
                    public void close() {
                        g.close();
                    }
                };
            }
        });
        assertEquals(GpuSmoke.FAILED, o.code());
        assertTrue(o.last().startsWith("smoke: FAIL at [6/10] replay the graph 3 times: "), o.last());
        assertTrue(o.last().contains("b (memset node)"), o.last());
    }

    @Test
    void aCaptureThatRunsTheWorkAtOnceFailsAtTheCaptureStage() {
        requireEmulator();
        Outcome o = smoke(() -> null, () -> new ForwardingDevice(new EmulatedDevice(4)) {
            @Override
            public void beginCapture() {
                // no capture: the "captured" work runs eagerly
            }

            @Override
            public Graph endCapture() {
                super.beginCapture();
                return super.endCapture();   // an empty graph
            }
        });
        assertEquals(GpuSmoke.FAILED, o.code());
        assertTrue(o.last().startsWith("smoke: FAIL at [5/10] capture a graph"), o.last());
        assertTrue(o.last().contains("must be untouched"), o.last());
    }

    @Test
    void aGraphThatFrozeItsInputAtCaptureFailsAfterNewInput() {
        requireEmulator();
        // The copy node replays the source as it was at capture time (as a graph would that kept
        // a captured host value instead of reading device memory). Replays of unchanged input
        // look right; only new input shows it, which is why the smoke test has that stage.
        Outcome o = smoke(() -> null, () -> new ForwardingDevice(new EmulatedDevice(4)) {
            private boolean capturing;
            private final List<Runnable> frozen = new ArrayList<>();

            @Override
            public void beginCapture() {
                capturing = true;
                super.beginCapture();
            }

            @Override
            public void copy(CUdeviceptr dst, CUdeviceptr src, long bytes) {
                if (!capturing) {
                    super.copy(dst, src, bytes);
                    return;
                }
                int n = (int) (bytes / Float.BYTES);
                float[] snapshot = new float[n];
                download(src, 0, n, (bb, from, count) -> bb.asFloatBuffer().get(snapshot, from, count));
                frozen.add(() -> upload(dst, 0, n, (bb, from, count) -> bb.asFloatBuffer().put(snapshot, from, count)));
            }

            @Override
            public Graph endCapture() {
                capturing = false;
                Graph g = super.endCapture();
                return new Graph() {
                    @Override
                    public void launch() {
                        frozen.forEach(Runnable::run);
                        g.launch();
                    }

                    @Override
                    public void close() {
                        g.close();
                    }
                };
            }
        });
        assertEquals(GpuSmoke.FAILED, o.code(), String.join("\n", o.lines()));
        assertTrue(o.lines().stream().anyMatch(l -> l.startsWith("smoke: [6/10] replay the graph 3 times ok")),
                String.join("\n", o.lines()));
        assertTrue(o.last().startsWith("smoke: FAIL at [7/10] replay the graph after new input: "), o.last());
        assertTrue(o.last().contains("c (copy of the new a, clamped)"), o.last());
    }

    @Test
    void aDriverErrorNamesTheStageAndTheDeviceIsStillClosed() {
        requireEmulator();
        boolean[] closed = {false};
        Outcome o = smoke(() -> null, () -> new ForwardingDevice(new EmulatedDevice(4)) {
            @Override
            public void launch(Launch l) {
                if (l.kernel == Kernel.FILL) throw new CudaException("CUDA_ERROR_ILLEGAL_ADDRESS");
                super.launch(l);
            }

            @Override
            public void close() {
                closed[0] = true;
                super.close();
            }
        });
        assertEquals(GpuSmoke.FAILED, o.code());
        assertTrue(o.last().startsWith("smoke: FAIL at [4/10] launch one kernel (fill): "), o.last());
        assertTrue(o.last().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), o.last());
        assertTrue(closed[0], "the device is closed after a failed stage");
    }

    @Test
    void aDeviceThatCannotOpenFailsAtTheOpenStage() {
        Outcome o = smoke(() -> null, () -> {
            throw new CudaException("CUDA_ERROR_NO_BINARY_FOR_GPU: the fatbin has no code for this GPU (sm_100)");
        });
        assertEquals(GpuSmoke.FAILED, o.code());
        assertTrue(o.last().startsWith("smoke: FAIL at [2/10] open device 0"), o.last());
        assertTrue(o.last().contains("NO_BINARY_FOR_GPU"), o.last());
        assertFalse(o.lines().stream().anyMatch(l -> l.startsWith("smoke: [3/10]")), "nothing runs after the open");
    }

    /** A {@link Device} that passes every call on; tests override what they break. */
    private static class ForwardingDevice implements Device {
        private final Device d;

        ForwardingDevice(Device d) {
            this.d = d;
        }

        @Override
        public String describe() {
            return d.describe();
        }

        @Override
        public int multiprocessors() {
            return d.multiprocessors();
        }

        @Override
        public GemmEngine gemm() {
            return d.gemm();
        }

        @Override
        public void launch(Launch launch) {
            d.launch(launch);
        }

        @Override
        public DeviceMemory allocate(long bytes) {
            return d.allocate(bytes);
        }

        @Override
        public void upload(CUdeviceptr dst, long at, int count, Chunk fill) {
            d.upload(dst, at, count, fill);
        }

        @Override
        public void download(CUdeviceptr src, long at, int count, Chunk drain) {
            d.download(src, at, count, drain);
        }

        @Override
        public void copy(CUdeviceptr dst, CUdeviceptr src, long bytes) {
            d.copy(dst, src, bytes);
        }

        @Override
        public void memsetD32(CUdeviceptr dst, int value, long count) {
            d.memsetD32(dst, value, count);
        }

        @Override
        public void synchronize() {
            d.synchronize();
        }

        @Override
        public void beginCapture() {
            d.beginCapture();
        }

        @Override
        public Graph endCapture() {
            return d.endCapture();
        }

        @Override
        public Event newEvent() {
            return d.newEvent();
        }

        @Override
        public void makeCurrent() {
            d.makeCurrent();
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
