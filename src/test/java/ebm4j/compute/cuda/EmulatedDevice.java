package ebm4j.compute.cuda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jcuda.driver.CUdeviceptr;

/**
 * A {@link Device} that runs the real kernels ({@code kernels/*.cu}) on the host through the kernel
 * emulator in {@code kernels/test/}, compiled with g++ once per JVM (cached by the sources' hash
 * under java.io.tmpdir). Memory lives in the emulator process; device addresses are its host
 * addresses, carried as the byte offset of a null {@link CUdeviceptr}, so slices work unchanged.
 * Graph capture records the launches and copies and replays them, which is what a CUDA graph
 * does with by-value kernel arguments. Every call is synchronous.
 *
 * <p><b>Sanitizer.</b> Every kernel runs under the emulator's sanitizer (kernels/NOTES.md): every
 * load and store of device memory is checked against the live allocations word by word
 * (out of bounds, use after free: addresses are never reused, reads of never-written memory),
 * shared memory against races between the threads of a block inside one barrier interval, and
 * the threads of a block against meeting at different barriers. Uploads, downloads, copies and
 * memsets are checked against the allocations too. A finding fails the call with a
 * {@link KernelSanitizerException} naming the kernel, the buffer (by the kernel's parameter name,
 * read from the sources by {@link KernelSources}), the index and the thread; and, in case a test
 * caught that exception as some other failure it expected, {@link #close} fails again unless the
 * test took the findings with {@link #takeFindings}. So no test passes over a finding.
 *
 * <p>Like cuMemAlloc, {@link #allocate} returns memory that is not initialised (0xFF bytes, NaN as
 * floats), and the sanitizer knows it was never written.
 *
 * <p>What this proves without a GPU: the kernels' index arithmetic, tiling, barriers, split-K,
 * guards and expression order, the Java launch marshalling and argument kinds (checked against
 * the C++ parameter types), the graph cache and the timer, and the memory safety above. What it
 * cannot: CUDA's own math library (exp/log/pow come from the host libm here), warp-level
 * behaviour and timing, the memory model of a real GPU, register or shared-memory limits, and the
 * driver calls themselves.
 */
final class EmulatedDevice implements Device {
    private static final Path KERNELS = KernelSources.PRODUCTION;
    private static final Path TEST_SOURCES = KernelSources.PLANTED;
    /** The uninstrumented translation units of the emulator, in kernels/test/. */
    private static final List<String> RUNTIME_UNITS = List.of("emulator", "scheduler", "sanitizer", "device_memory",
            "shared_memory");
    private static final Object BUILD_LOCK = new Object();
    private static String buildProblem;
    private static Path binary;
    private static Map<String, List<KernelSources.Param>> parameters;
    private static final Pattern POINTER = Pattern.compile("nativePointer=0x([0-9a-fA-F]+),byteOffset=(-?\\d+)");
    /** Longest wait for one reply by default; a kernel that never ends would otherwise hang the test run. */
    static final long REPLY_LIMIT_SECONDS = 120;
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final Process process;
    private final OutputStream out;
    private final DataInputStream in;
    private final int multiprocessors;
    private final GemmEngine gemm;
    private final Set<Long> live = new LinkedHashSet<>();
    private final List<String> findings = new ArrayList<>();
    private volatile boolean killed;
    private long replyLimitSeconds = REPLY_LIMIT_SECONDS;
    private List<Runnable> recording;
    private boolean closed;

    /** Per kernel, what ran under the sanitizer in this emulator process. */
    record KernelStats(long launches, long findings, long blocks, long globalAccesses, long sharedAccesses) {}

    /**
     * @param multiprocessors what the launch heuristics see (small values exercise the 64x64 tile
     *                        and split-K on small matrices)
     */
    EmulatedDevice(int multiprocessors) {
        Path exe = build();
        if (exe == null) throw new IllegalStateException("kernel emulator unavailable: " + buildProblem);
        try {
            process = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        this.multiprocessors = multiprocessors;
        declareParameterNames();
        long wsBytes = 1L << 20;
        DeviceMemory ws = allocate(wsBytes);
        gemm = new KernelGemm(this::launch, multiprocessors, ws.ptr, wsBytes / Float.BYTES);
    }

    /** Null when the emulator builds here, else why not (no g++, no kernels directory, a compile error). */
    static String problem() {
        build();
        return buildProblem;
    }

    private static Path build() {
        synchronized (BUILD_LOCK) {
            if (binary != null || buildProblem != null) return binary;
            try {
                if (!Files.isDirectory(TEST_SOURCES)) {
                    buildProblem = "no kernels/test directory under " + Paths.get("").toAbsolutePath();
                    return null;
                }
                String gxx = findOnPath("g++");
                if (gxx == null) {
                    buildProblem = "g++ not found on PATH";
                    return null;
                }
                Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "ebm4j-emulator-" + sourcesHash());
                Path exe = dir.resolve("emulator");
                if (!Files.isExecutable(exe)) {
                    Path work = Files.createDirectories(dir.resolve("build-" + ProcessHandle.current().pid()));
                    String log = compileAndLink(gxx, work);
                    if (log != null) {
                        deleteTree(work);
                        buildProblem = "g++ failed to build the kernel emulator:\n" + log;
                        return null;
                    }
                    Files.move(work.resolve("emulator"), exe, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    deleteTree(work);
                }
                binary = exe;
                return binary;
            } catch (IOException | NoSuchAlgorithmException e) {
                buildProblem = "building the kernel emulator: " + e;
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                buildProblem = "interrupted while building the kernel emulator";
                return null;
            }
        }
    }

    /** Of every source the emulator is built from (kernels/ and kernels/test/). */
    private static String sourcesHash() throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<Path> sources;
        try (Stream<Path> s = Stream.concat(Files.list(KERNELS), Files.list(TEST_SOURCES))) {
            sources = s.filter(p -> p.toString().matches(".*\\.(cu|cuh|cpp|h|ld)$")).sorted().toList();
        }
        for (Path p : sources) {
            sha.update(p.toString().getBytes(StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(p));
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    /**
     * kernels.cpp (the kernels) with -fsanitize=thread, which makes GCC call the sanitizer before
     * every load and store, the rest without; linked WITHOUT libtsan (sanitizer.cpp supplies the
     * hooks) and with shared_memory.ld (which gathers the kernels' __shared__ variables). The two
     * compiles run side by side. Returns null, or g++'s output on failure.
     *
     * <p>kernels.cpp gets -O3: GCC ignores CUDA's {@code #pragma unroll}, and -O3's complete
     * unrolling keeps the small per-thread arrays (the GEMM's accumulators and staging registers)
     * in registers as nvcc does, instead of on the stack where every access would call the
     * sanitizer (40% of its calls at -O2). -ffp-contract=off (nvcc's -fmad=false) and no fast-math
     * keep the arithmetic IEEE-exact whatever the optimisation level.
     */
    private static String compileAndLink(String gxx, Path work) throws IOException, InterruptedException {
        Path root = Paths.get("").toAbsolutePath();
        List<String> common = List.of(gxx, "-std=c++17", "-ffp-contract=off", "-DEBM_EMULATOR", "-w",
                "-I", root.resolve(KERNELS).toString(), "-I", root.resolve(TEST_SOURCES).toString(), "-c");
        List<String> instrumented = new ArrayList<>(common);
        instrumented.addAll(List.of("-O3", "-fsanitize=thread", "--param", "tsan-instrument-func-entry-exit=0",
                root.resolve(TEST_SOURCES.resolve("kernels.cpp")).toString(), "-o", "kernels.o"));
        List<String> plain = new ArrayList<>(common);
        plain.add("-O2");
        for (String unit : RUNTIME_UNITS) plain.add(root.resolve(TEST_SOURCES.resolve(unit + ".cpp")).toString());
        Process a = new ProcessBuilder(instrumented).directory(work.toFile()).redirectErrorStream(true).start();
        Process b = new ProcessBuilder(plain).directory(work.toFile()).redirectErrorStream(true).start();
        String log = finish(a) + finish(b);
        if (a.exitValue() != 0 || b.exitValue() != 0) return log;
        List<String> link = new ArrayList<>(List.of(gxx));
        for (String unit : RUNTIME_UNITS) link.add(unit + ".o");
        link.addAll(List.of("kernels.o", "-Wl,-T," + root.resolve(TEST_SOURCES.resolve("shared_memory.ld")), "-o", "emulator"));
        Process l = new ProcessBuilder(link).directory(work.toFile()).redirectErrorStream(true).start();
        log = finish(l);
        return l.exitValue() == 0 ? null : log;
    }

    /** The build's scratch directory (object files), once the binary is in place or the build failed. */
    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Waits (at most 5 minutes) and returns the process's output. */
    private static String finish(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return out + "\n(timed out)";
        }
        return out;
    }

    private static String findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Paths.get(dir, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    /** The host address a (possibly offset) device pointer stands for. */
    static long address(CUdeviceptr p) {
        if (p == null) return 0;
        Matcher m = POINTER.matcher(p.toString());
        if (!m.find()) throw new IllegalStateException("cannot read pointer " + p);
        return Long.parseUnsignedLong(m.group(1), 16) + Long.parseLong(m.group(2));
    }

    // ---- protocol ---------------------------------------------------------------------------------

    private static ByteBuffer message(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Sends a command and reads its status: 0 returns (the reply's data follows), 1 (a misuse) throws
     * IllegalStateException, 2 (sanitizer findings) records them and throws KernelSanitizerException.
     */
    private void send(ByteBuffer msg, byte[] payload) {
        try {
            out.write(msg.array(), 0, msg.position());
            if (payload != null) out.write(payload);
            out.flush();
            int status;
            ScheduledFuture<?> limit = WATCHDOG.schedule(this::kill, replyLimitSeconds, TimeUnit.SECONDS);
            try {
                status = in.read();
            } finally {
                limit.cancel(false);
            }
            if (status == 0) return;
            if (status < 0) {
                throw new IllegalStateException(killed ? "kernel emulator: no reply within " + replyLimitSeconds
                        + " s (a kernel that never ends?), killed" : "kernel emulator exited");
            }
            byte[] len = in.readNBytes(4);
            int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
            String text = new String(in.readNBytes(n), StandardCharsets.UTF_8);
            if (status == 2) {
                findings.add(text);
                throw new KernelSanitizerException(text);
            }
            throw new IllegalStateException("kernel emulator: " + text);
        } catch (IOException e) {
            throw new UncheckedIOException("kernel emulator", e);
        }
    }

    /** For the test of the limit itself. */
    void replyLimitSeconds(long seconds) {
        replyLimitSeconds = seconds;
    }

    private void kill() {
        killed = true;
        process.destroyForcibly();
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kernel emulator watchdog");
            t.setDaemon(true);
            return t;
        });
        w.setRemoveOnCancelPolicy(true);
        return w;
    }

    private ByteBuffer reply(int bytes) {
        try {
            byte[] b = in.readNBytes(bytes);
            if (b.length != bytes) throw new IllegalStateException("kernel emulator exited");
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("kernel emulator", e);
        }
    }

    private void write(long address, byte[] bytes) {
        ByteBuffer m = message(17);
        m.put((byte) 'W').putLong(address).putLong(bytes.length);
        send(m, bytes);
    }

    private byte[] read(long address, int bytes) {
        ByteBuffer m = message(17);
        m.put((byte) 'R').putLong(address).putLong(bytes);
        send(m, null);
        return reply(bytes).array();
    }

    /** The production kernels the emulator was built with (kernels/*.cu). */
    List<String> kernelNames() {
        return compiledKernels(false);
    }

    /** The planted bugs the emulator was built with (kernels/test/planted.cu). */
    List<String> plantedKernelNames() {
        return compiledKernels(true);
    }

    private List<String> compiledKernels(boolean planted) {
        ByteBuffer m = message(1);
        m.put((byte) 'K');
        send(m, null);
        int n = reply(4).getInt();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean isPlanted = reply(1).get() != 0;
            int len = reply(2).getShort() & 0xFFFF;
            String name = new String(reply(len).array(), StandardCharsets.US_ASCII);
            if (isPlanted == planted) names.add(name);
        }
        return names;
    }

    /** Per kernel launched so far: launches run to their end, findings, blocks, accesses checked. */
    Map<String, KernelStats> kernelStats() {
        ByteBuffer m = message(1);
        m.put((byte) 'S');
        send(m, null);
        int n = reply(4).getInt();
        Map<String, KernelStats> out = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            int len = reply(2).getShort() & 0xFFFF;
            String name = new String(reply(len).array(), StandardCharsets.US_ASCII);
            ByteBuffer r = reply(40);
            out.put(name, new KernelStats(r.getLong(), r.getLong(), r.getLong(), r.getLong(), r.getLong()));
        }
        return out;
    }

    /** The sanitizer findings reported so far, which the test has now seen (see {@link #close}). */
    List<String> takeFindings() {
        List<String> out = List.copyOf(findings);
        findings.clear();
        return out;
    }

    /** Tells the emulator every kernel's parameter names, as the sources spell them, for its findings. */
    private void declareParameterNames() {
        for (Map.Entry<String, List<KernelSources.Param>> k : parameterNames().entrySet()) {
            byte[] name = k.getKey().getBytes(StandardCharsets.US_ASCII);
            List<byte[]> params = k.getValue().stream().map(p -> p.name().getBytes(StandardCharsets.US_ASCII)).toList();
            ByteBuffer m = message(1 + 2 + name.length + 4 + params.stream().mapToInt(p -> 2 + p.length).sum());
            m.put((byte) 'P').putShort((short) name.length).put(name).putInt(params.size());
            for (byte[] p : params) m.putShort((short) p.length).put(p);
            send(m, null);
        }
    }

    private static Map<String, List<KernelSources.Param>> parameterNames() {
        synchronized (BUILD_LOCK) {
            if (parameters == null) {
                Map<String, List<KernelSources.Param>> all = new TreeMap<>(KernelSources.kernels(KERNELS));
                all.putAll(KernelSources.kernels(TEST_SOURCES));
                parameters = all;
            }
            return parameters;
        }
    }

    /** kernels/philox.cuh's philox_normal_pair(a, b), run on the host. */
    float[] normalPair(int a, int b) {
        ByteBuffer m = message(9);
        m.put((byte) 'N').putInt(a).putInt(b);
        send(m, null);
        ByteBuffer r = reply(8);
        return new float[] {r.getFloat(), r.getFloat()};
    }

    private void run(Runnable op) {
        if (recording != null) recording.add(op);
        else op.run();
    }

    // ---- Device ----------------------------------------------------------------------------------

    @Override
    public String describe() {
        return "kernel emulator on the host (" + multiprocessors + " pretend SMs)";
    }

    @Override
    public int multiprocessors() {
        return multiprocessors;
    }

    @Override
    public GemmEngine gemm() {
        return gemm;
    }

    @Override
    public void launch(Launch l) {
        l.check();
        launch(l.kernel.symbol, l.gridX, l.gridY, l.gridZ, l.block, l.values());
    }

    /**
     * Queues (or records) a launch of any compiled kernel by name, the planted ones included, which
     * Kernel.java does not list. Arguments: CUdeviceptr (a pointer, {@code new CUdeviceptr()} for
     * null), Integer (int), Long (long long) or Float (float); the emulator checks them against the
     * kernel's C++ parameter types.
     */
    void launch(String symbol, int gridX, int gridY, int gridZ, int block, List<Object> values) {
        byte[] name = symbol.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer m = message(1 + 2 + name.length + 16 + 4 + 9 * values.size());
        m.put((byte) 'L').putShort((short) name.length).put(name);
        m.putInt(gridX).putInt(gridY).putInt(gridZ).putInt(block).putInt(values.size());
        for (Object v : values) {
            if (v instanceof CUdeviceptr p) m.put((byte) 0).putLong(address(p));
            else if (v instanceof Integer i) m.put((byte) 1).putLong(i & 0xFFFFFFFFL);
            else if (v instanceof Long x) m.put((byte) 2).putLong(x);
            else if (v instanceof Float f) m.put((byte) 3).putLong(Float.floatToRawIntBits(f) & 0xFFFFFFFFL);
            else throw new IllegalArgumentException("kernel argument " + v + " is not a pointer, int, long or float");
        }
        run(() -> send(m, null));
    }

    /** Uninitialised, as cuMemAlloc: 0xFF bytes that the sanitizer knows were never written. */
    @Override
    public DeviceMemory allocate(long bytes) {
        ByteBuffer m = message(9);
        m.put((byte) 'A').putLong(bytes);
        send(m, null);
        long address = reply(8).getLong();
        live.add(address);
        return new DeviceMemory(new CUdeviceptr().withByteOffset(address), bytes, mem -> {
            if (closed) return;
            live.remove(address);
            ByteBuffer f = message(9);
            f.put((byte) 'F').putLong(address);
            send(f, null);
        });
    }

    @Override
    public void upload(CUdeviceptr dst, long at, int count, Chunk fill) {
        ByteBuffer staging = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        fill.move(staging, 0, count);
        write(address(dst) + at * 4, staging.array());
    }

    @Override
    public void download(CUdeviceptr src, long at, int count, Chunk drain) {
        ByteBuffer staging = ByteBuffer.wrap(read(address(src) + at * 4, count * 4)).order(ByteOrder.LITTLE_ENDIAN);
        drain.move(staging, 0, count);
    }

    @Override
    public void copy(CUdeviceptr dst, CUdeviceptr src, long bytes) {
        long d = address(dst), s = address(src);
        run(() -> {
            ByteBuffer m = message(25);
            m.put((byte) 'C').putLong(d).putLong(s).putLong(bytes);
            send(m, null);
        });
    }

    @Override
    public void memsetD32(CUdeviceptr dst, int value, long count) {
        long d = address(dst);
        run(() -> {
            ByteBuffer m = message(21);
            m.put((byte) 'M').putLong(d).putInt(value).putLong(count);
            send(m, null);
        });
    }

    @Override
    public void synchronize() {
        // every emulated call has finished when it returns
    }

    @Override
    public void beginCapture() {
        if (recording != null) throw new IllegalStateException("already capturing");
        recording = new ArrayList<>();
    }

    @Override
    public Graph endCapture() {
        List<Runnable> ops = List.copyOf(recording);
        recording = null;
        return new Graph() {
            @Override
            public void launch() {
                ops.forEach(Runnable::run);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public Event newEvent() {
        return new HostEvent();
    }

    /** Host clock at the point of the stream where it was recorded (calls are synchronous). */
    private final class HostEvent implements Event {
        long nanos = -1;

        @Override
        public void record() {
            run(() -> nanos = System.nanoTime());
        }

        @Override
        public float millisSince(Event start) {
            return (nanos - ((HostEvent) start).nanos) / 1e6f;
        }

        @Override
        public void close() {}
    }

    @Override
    public void makeCurrent() {}

    /**
     * Frees what is left and stops the emulator; then, if sanitizer findings were reported that no
     * test took ({@link #takeFindings}), throws with them: a test that caught the exception of a
     * finding as some other failure it expected must not pass.
     */
    @Override
    public void close() {
        if (closed) return;
        try {
            for (long a : killed ? List.<Long>of() : live) {
                ByteBuffer f = message(9);
                f.put((byte) 'F').putLong(a);
                send(f, null);
            }
        } finally {
            live.clear();
            closed = true;
            try {
                out.write('Q');
                out.flush();
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // already gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                process.destroy();
            }
        }
        if (!findings.isEmpty()) {
            List<String> unseen = takeFindings();
            throw new KernelSanitizerException(unseen.size() + " report(s) with finding(s) that the test did not take:\n"
                    + String.join("\n", unseen));
        }
    }
}
