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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jcuda.driver.CUdeviceptr;

/**
 * A {@link Device} that runs the real kernels ({@code kernels/*.cu}) on the host through
 * {@code kernels/test/emulator.cpp}, compiled with g++ once per JVM (cached by the sources' hash
 * under java.io.tmpdir). Memory lives in the emulator process; device addresses are its host
 * addresses, carried as the byte offset of a null {@link CUdeviceptr}, so slices work unchanged.
 * Graph capture records the launches and copies and replays them, which is what a CUDA graph
 * does with by-value kernel arguments. Every call is synchronous.
 *
 * <p>What this proves without a GPU: the kernels' index arithmetic, tiling, barriers, split-K,
 * guards and expression order, the Java launch marshalling and argument kinds (checked against
 * the C++ parameter types), the graph cache and the timer. What it cannot: CUDA's own math
 * library (exp/log/pow come from the host libm here), warp-level timing, the memory model of a
 * real GPU, register or shared-memory limits, and the driver calls themselves.
 */
final class EmulatedDevice implements Device {
    private static final Path KERNELS = Paths.get("kernels");
    private static final Object BUILD_LOCK = new Object();
    private static String buildProblem;
    private static Path binary;
    private static final Pattern POINTER = Pattern.compile("nativePointer=0x([0-9a-fA-F]+),byteOffset=(-?\\d+)");

    private final Process process;
    private final OutputStream out;
    private final DataInputStream in;
    private final int multiprocessors;
    private final GemmEngine gemm;
    private final Set<Long> live = new LinkedHashSet<>();
    private List<Runnable> recording;
    private boolean closed;

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
                if (!Files.isDirectory(KERNELS.resolve("test"))) {
                    buildProblem = "no kernels/test directory under " + Paths.get("").toAbsolutePath();
                    return null;
                }
                String gxx = findOnPath("g++");
                if (gxx == null) {
                    buildProblem = "g++ not found on PATH";
                    return null;
                }
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                List<Path> sources;
                try (Stream<Path> s = Stream.concat(Files.list(KERNELS), Files.list(KERNELS.resolve("test")))) {
                    sources = s.filter(p -> p.toString().matches(".*\\.(cu|cuh|cpp|h)$")).sorted().toList();
                }
                for (Path p : sources) {
                    sha.update(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                    sha.update(Files.readAllBytes(p));
                }
                String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
                Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "ebm4j-emulator-" + hash);
                Path exe = dir.resolve("emulator");
                if (!Files.isExecutable(exe)) {
                    Files.createDirectories(dir);
                    Path tmp = dir.resolve("emulator.tmp" + ProcessHandle.current().pid());
                    Process p = new ProcessBuilder(gxx, "-std=c++17", "-O2", "-ffp-contract=off", "-pthread",
                            "-DEBM_EMULATOR", "-w", "-include", KERNELS.resolve("test/cuda_host_shim.h").toString(),
                            "-I", KERNELS.toString(), "-x", "c++", KERNELS.resolve("test/emulator.cpp").toString(),
                            "-o", tmp.toString()).redirectErrorStream(true).start();
                    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                        buildProblem = "g++ failed to build the kernel emulator:\n" + log;
                        return null;
                    }
                    Files.move(tmp, exe, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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

    private void send(ByteBuffer msg, byte[] payload) {
        try {
            out.write(msg.array(), 0, msg.position());
            if (payload != null) out.write(payload);
            out.flush();
            int status = in.read();
            if (status == 0) return;
            if (status < 0) throw new IllegalStateException("kernel emulator exited");
            byte[] len = in.readNBytes(4);
            int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
            throw new IllegalStateException("kernel emulator: " + new String(in.readNBytes(n), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("kernel emulator", e);
        }
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

    /** The names of the kernels the emulator was built with. */
    List<String> kernelNames() {
        ByteBuffer m = message(1);
        m.put((byte) 'K');
        send(m, null);
        int n = reply(4).getInt();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = reply(2).getShort() & 0xFFFF;
            names.add(new String(reply(len).array(), StandardCharsets.US_ASCII));
        }
        return names;
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
        byte[] name = l.kernel.symbol.getBytes(StandardCharsets.US_ASCII);
        List<Object> values = l.values();
        List<String> kinds = l.kernel.parameters();
        ByteBuffer m = message(1 + 2 + name.length + 16 + 4 + 9 * values.size());
        m.put((byte) 'L').putShort((short) name.length).put(name);
        m.putInt(l.gridX).putInt(l.gridY).putInt(l.gridZ).putInt(l.block).putInt(values.size());
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            switch (kinds.get(i)) {
                case "ptr" -> m.put((byte) 0).putLong(address((CUdeviceptr) v));
                case "i32" -> m.put((byte) 1).putLong((Integer) v & 0xFFFFFFFFL);
                case "i64" -> m.put((byte) 2).putLong((Long) v);
                case "f32" -> m.put((byte) 3).putLong(Float.floatToRawIntBits((Float) v) & 0xFFFFFFFFL);
                default -> throw new IllegalStateException("kind " + kinds.get(i));
            }
        }
        run(() -> send(m, null));
    }

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
            ByteBuffer b = ByteBuffer.allocate((int) count * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) b.putInt(value);
            write(d, b.array());
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

    @Override
    public void close() {
        if (closed) return;
        for (long a : live) {
            ByteBuffer f = message(9);
            f.put((byte) 'F').putLong(a);
            send(f, null);
        }
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
}
