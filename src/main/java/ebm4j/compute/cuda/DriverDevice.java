package ebm4j.compute.cuda;

import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import ebm4j.UserException;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;

/**
 * {@link Device} through the CUDA driver API (JCuda): the primary context, the kernel module, one
 * non-blocking stream, a pinned staging buffer for transfers, and the GEMM engine (cuBLAS when
 * libcublas.so.12 loads, else our kernel; {@link CudaBackend#GEMM_PROPERTY} overrides).
 */
final class DriverDevice implements Device {
    /** Device memory for split-K partial products of the SGEMM kernel. */
    static final long SPLIT_K_WORKSPACE_BYTES = 8L << 20;

    private final CudaContext ctx;
    private final String driver;
    private CudaModule module;
    private CudaStream stream;
    private PinnedHost staging;
    private GemmEngine gemm;
    private final Set<DeviceMemory> live = new LinkedHashSet<>();
    private boolean closed;

    DriverDevice(int ordinal, String gemmChoice) {
        ctx = CudaContext.open(ordinal);
        try {
            int[] v = {0};
            cuDriverGetVersion(v);
            driver = (v[0] / 1000) + "." + (v[0] % 1000 / 10);
            module = CudaModule.load("sm_" + ctx.ccMajor + ctx.ccMinor);
            stream = new CudaStream();
            staging = new PinnedHost();
            gemm = openGemm(gemmChoice);
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** See {@link GemmEngineChoice}: cuBLAS if it loads and starts (unless told otherwise), else our kernel. */
    private GemmEngine openGemm(String choice) {
        long cublasWorkspace = ctx.ccMajor >= 9 ? 32L << 20 : 4L << 20;   // cuBLAS docs: 32 MiB on Hopper
        return GemmEngineChoice.open(choice, CublasGemm.loadable(),
                () -> new CublasGemm(stream.stream, cublasWorkspace),
                why -> {
                    DeviceMemory ws = allocate(SPLIT_K_WORKSPACE_BYTES);
                    return new KernelGemm(this::launch, ctx.multiprocessors, ws.ptr,
                            SPLIT_K_WORKSPACE_BYTES / Float.BYTES, why);
                });
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%s (sm_%d%d, %d SMs, %.1f GiB), driver %s",
                ctx.name, ctx.ccMajor, ctx.ccMinor, ctx.multiprocessors, ctx.totalMemory / (double) (1L << 30), driver);
    }

    @Override
    public int multiprocessors() {
        return ctx.multiprocessors;
    }

    @Override
    public GemmEngine gemm() {
        return gemm;
    }

    @Override
    public void launch(Launch l) {
        l.check();
        try {
            cuLaunchKernel(module.function(l.kernel), l.gridX, l.gridY, l.gridZ, l.block, 1, 1, 0,
                    stream.stream, l.parameters(), null);
        } catch (CudaException e) {
            throw new CudaException(e.getMessage() + " launching " + l, e);
        }
    }

    /** cuMemAlloc (at least 4 bytes), not initialised, tracked until freed. */
    @Override
    public DeviceMemory allocate(long bytes) {
        long size = Math.max(bytes, Float.BYTES);
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, size);
        } catch (CudaException e) {
            if (String.valueOf(e.getMessage()).contains("OUT_OF_MEMORY")) {
                throw new UserException(String.format(Locale.ROOT,
                        "GPU out of memory: could not allocate %s on %s (%s); try a smaller --batch-size",
                        mib(size), ctx.name, memoryInfo()), e);
            }
            throw e;
        }
        DeviceMemory m = new DeviceMemory(p, size, this::free);
        live.add(m);
        return m;
    }

    private String memoryInfo() {
        try {
            long[] free = {0}, total = {0};
            cuMemGetInfo(free, total);
            return mib(free[0]) + " free of " + mib(total[0]);
        } catch (CudaException e) {
            return "free memory unknown";
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Waits for queued work that may still use the memory, then cuMemFree. */
    private void free(DeviceMemory m) {
        if (closed) return;
        live.remove(m);
        stream.synchronize();
        cuMemFree(m.ptr);
    }

    /** Through the pinned staging buffer in chunks, each copied on the stream and waited for. */
    @Override
    public void upload(CUdeviceptr dst, long at, int count, Chunk fill) {
        int done = 0;
        while (done < count) {
            ByteBuffer bb = staging.ensure((long) (count - done) * 4);
            int n = (int) Math.min(count - done, staging.capacity() / 4);
            fill.move(bb, done, n);
            cuMemcpyHtoDAsync(dst.withByteOffset((at + done) * 4), staging.pointer(), (long) n * 4, stream.stream);
            stream.synchronize();   // the staging buffer is refilled by the next chunk
            done += n;
        }
    }

    @Override
    public void download(CUdeviceptr src, long at, int count, Chunk drain) {
        if (count == 0) stream.synchronize();
        int done = 0;
        while (done < count) {
            ByteBuffer bb = staging.ensure((long) (count - done) * 4);
            int n = (int) Math.min(count - done, staging.capacity() / 4);
            cuMemcpyDtoHAsync(staging.pointer(), src.withByteOffset((at + done) * 4), (long) n * 4, stream.stream);
            stream.synchronize();
            drain.move(bb, done, n);
            done += n;
        }
    }

    @Override
    public void copy(CUdeviceptr dst, CUdeviceptr src, long bytes) {
        cuMemcpyDtoDAsync(dst, src, bytes, stream.stream);
    }

    @Override
    public void memsetD32(CUdeviceptr dst, int value, long count) {
        cuMemsetD32Async(dst, value, count, stream.stream);
    }

    @Override
    public void synchronize() {
        stream.synchronize();
    }

    @Override
    public void beginCapture() {
        cuStreamBeginCapture(stream.stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
    }

    @Override
    public Graph endCapture() {
        CUgraph graph = new CUgraph();
        cuStreamEndCapture(stream.stream, graph);
        CUgraphExec exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, graph, 0L);
        } catch (RuntimeException e) {
            cuGraphDestroy(graph);
            throw e;
        }
        return new Graph() {
            private boolean closed;

            @Override
            public void launch() {
                cuGraphLaunch(exec, stream.stream);
            }

            @Override
            public void close() {
                if (closed) return;
                closed = true;
                try {
                    cuGraphExecDestroy(exec);
                } finally {
                    cuGraphDestroy(graph);
                }
            }
        };
    }

    @Override
    public Event newEvent() {
        CUevent e = new CUevent();
        cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT);
        return new DriverEvent(e);
    }

    private final class DriverEvent implements Event {
        final CUevent event;
        private boolean closed;

        DriverEvent(CUevent event) {
            this.event = event;
        }

        @Override
        public void record() {
            cuEventRecord(event, stream.stream);
        }

        @Override
        public float millisSince(Event start) {
            float[] ms = {0f};
            cuEventElapsedTime(ms, ((DriverEvent) start).event, event);
            return ms[0];
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            cuEventDestroy(event);
        }
    }

    @Override
    public void makeCurrent() {
        ctx.makeCurrent();
    }

    /** Frees in dependency order; the first failure is rethrown after everything was attempted. */
    @Override
    public void close() {
        if (closed) return;
        List<RuntimeException> failures = new ArrayList<>();
        attempt(failures, ctx::makeCurrent);
        if (stream != null) attempt(failures, stream::synchronize);
        if (gemm != null) attempt(failures, gemm::close);
        closed = true;   // from here on DeviceMemory.close() is a no-op (see free)
        for (DeviceMemory m : live) {
            attempt(failures, () -> cuMemFree(m.ptr));
            m.markClosed();
        }
        live.clear();
        if (staging != null) attempt(failures, staging::close);
        if (stream != null) attempt(failures, stream::close);
        if (module != null) attempt(failures, module::close);
        attempt(failures, ctx::close);
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            for (int i = 1; i < failures.size(); i++) first.addSuppressed(failures.get(i));
            throw first;
        }
    }

    private static void attempt(List<RuntimeException> failures, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
