package ebm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.UserException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header
 * of tensor names to dtype, shape and byte range, then the raw little-endian data), so weights
 * open in any safetensors reader. Only F32 and I32 tensors are used here.
 *
 * <p>Writes are atomic: a temporary file in the same folder is written, forced to disk, then
 * renamed over the target, so a crash never leaves a half-written checkpoint.
 *
 * <p>Reads treat the file as hostile: {@link #open} reads the 8-byte header length, bounds it by
 * {@value #MAX_HEADER} bytes and by the file's size, parses the header with the bounded JSON
 * reader, and checks every entry (dtype, shape, byte range, all sizes with overflow checks) and
 * that the tensors cover the data section exactly, without gaps, overlaps or extra bytes. Tensor
 * data is read only when asked for, in chunks, after the caller has checked what it is about to
 * allocate.
 */
public final class SafeTensors {
    /** A tensor to write: exactly one of floats/ints is non-null. */
    public record Tensor(long[] shape, float[] floats, int[] ints) {
        public static Tensor of(float[] data, long... shape) {
            return new Tensor(shape, data, null);
        }

        public static Tensor ofInts(int[] data, long... shape) {
            return new Tensor(shape, null, data);
        }

        String dtype() {
            return floats != null ? F32 : I32;
        }

        int length() {
            return floats != null ? floats.length : ints.length;
        }
    }

    /**
     * One tensor as the header describes it (checked: a known dtype, non-negative dimensions whose
     * product fits a long, and a byte range inside the data section that matches the shape).
     */
    public record Entry(String name, String dtype, long[] shape, long elements, long begin, long end) {
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** True when this entry is a {@code dtype} tensor of exactly {@code expected} shape. */
        public boolean is(String dtype, long... expected) {
            return this.dtype.equals(dtype) && Arrays.equals(shape, expected);
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    public static final String F32 = "F32", I32 = "I32";

    /**
     * The largest header read. An ebm4j header is a few kilobytes (the tensor table and the
     * config); the bound keeps a damaged length field from allocating gigabytes.
     */
    static final long MAX_HEADER = 1 << 20;
    /** Dimensions per tensor: ebm4j writes at most 2. */
    private static final int MAX_RANK = 8;
    private static final int CHUNK = 1 << 20;

    private SafeTensors() {}

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = 4L * t.length();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype());
            List<Object> shape = new ArrayList<>();
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the format recommends 8-byte alignment of the data
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = ebm4j.TempFiles.beside(dir, "." + file.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeFully(ch, head);
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    for (int i = 0; i < t.length(); i++) {
                        if (chunk.remaining() < 4) {
                            chunk.flip();
                            writeFully(ch, chunk);
                            chunk.clear();
                        }
                        if (t.floats() != null) {
                            chunk.putFloat(t.floats()[i]);
                        } else {
                            chunk.putInt(t.ints()[i]);
                        }
                    }
                }
                chunk.flip();
                writeFully(ch, chunk);
                ch.force(true);
            }
            ebm4j.TempFiles.replace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /**
     * Opens a file and checks its header; no tensor data is read yet. Every structural problem is
     * a {@link UserException} naming the file.
     */
    public static Reader open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserException("checkpoint file " + file + " does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            throw new UserException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
        try {
            return new Reader(file, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** An open safetensors file whose header has been checked; tensors are read on demand. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final Map<String, Entry> tensors;
        private final Map<String, String> metadata;
        private final long dataStart;

        private Reader(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
            long size = size();
            if (size < 8) {
                throw corrupt(file, "shorter than its 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(len, 0);
            long headerLen = len.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw corrupt(file, "header length " + headerLen + " does not fit a " + size + "-byte file (at most "
                        + MAX_HEADER + " bytes of header)");
            }
            ByteBuffer json = ByteBuffer.allocate((int) headerLen);
            readFully(json, 8);
            JsonNode header;
            try {
                header = Json.read(new String(json.array(), StandardCharsets.UTF_8).trim());
            } catch (IllegalArgumentException e) {
                throw corrupt(file, "header is not valid JSON (" + e.getMessage() + ")");
            }
            if (header == null || !header.isObject()) {
                throw corrupt(file, "header is not a JSON object");
            }
            dataStart = 8 + headerLen;
            Map<String, Entry> t = new LinkedHashMap<>();
            Map<String, String> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    readMetadata(e.getValue(), m);
                } else {
                    t.put(e.getKey(), entry(e.getKey(), e.getValue(), size - dataStart));
                }
            }
            requireContiguous(t.values(), size - dataStart);
            tensors = Collections.unmodifiableMap(t);
            metadata = Collections.unmodifiableMap(m);
        }

        public Path file() {
            return file;
        }

        /** The tensors in header order. */
        public Map<String, Entry> tensors() {
            return tensors;
        }

        /** The string metadata ({@code __metadata__}). */
        public Map<String, String> metadata() {
            return metadata;
        }

        /** Reads an F32 tensor into {@code dst} from {@code offset}. */
        public void readFloats(String name, float[] dst, int offset) {
            Entry e = require(name, F32);
            if (offset < 0 || e.elements() > dst.length - (long) offset) {
                throw new IllegalArgumentException(e + " does not fit " + dst.length + " floats at " + offset);
            }
            read(e, (buf, at, n) -> buf.asFloatBuffer().get(dst, offset + at, n));
        }

        /** An F32 tensor as a new array (the caller has checked that its size is affordable). */
        public float[] floats(String name) {
            Entry e = require(name, F32);
            float[] out = new float[arrayLength(e)];
            readFloats(name, out, 0);
            return out;
        }

        /** An I32 tensor as a new array (the caller has checked that its size is affordable). */
        public int[] ints(String name) {
            Entry e = require(name, I32);
            int[] out = new int[arrayLength(e)];
            read(e, (buf, at, n) -> buf.asIntBuffer().get(out, at, n));
            return out;
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }

        private Entry require(String name, String dtype) {
            Entry e = tensors.get(name);
            if (e == null || !e.dtype().equals(dtype)) {
                throw corrupt(file, "no " + dtype + " tensor " + name);
            }
            return e;
        }

        private int arrayLength(Entry e) {
            if (e.elements() > Integer.MAX_VALUE - 8) {
                throw corrupt(file, "tensor " + e + " has more elements than an array holds");
            }
            return (int) e.elements();
        }

        private interface Sink {
            void accept(ByteBuffer littleEndian, int at, int count);
        }

        /** Streams a tensor's bytes in chunks of at most {@value #CHUNK}. */
        private void read(Entry e, Sink sink) {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            long position = dataStart + e.begin();
            int done = 0;
            while (done < e.elements()) {
                int n = (int) Math.min(CHUNK / 4, e.elements() - done);
                buf.clear().limit(4 * n);
                readFully(buf, position);
                buf.flip();
                sink.accept(buf, done, n);
                done += n;
                position += 4L * n;
            }
        }

        private long size() {
            try {
                return channel.size();
            } catch (IOException e) {
                throw new UserException("cannot read checkpoint " + file + ": " + e.getMessage());
            }
        }

        private void readFully(ByteBuffer buf, long position) {
            try {
                while (buf.hasRemaining()) {
                    int n = channel.read(buf, position);
                    if (n < 0) {
                        throw corrupt(file, "ends early (truncated while being read?)");
                    }
                    position += n;
                }
            } catch (IOException e) {
                throw new UserException("cannot read checkpoint " + file + ": " + e.getMessage());
            }
        }

        private void readMetadata(JsonNode node, Map<String, String> out) {
            if (!node.isObject()) {
                throw corrupt(file, "__metadata__ is not an object of strings");
            }
            for (Map.Entry<String, JsonNode> m : node.properties()) {
                if (!m.getValue().isTextual()) {
                    throw corrupt(file, "metadata '" + m.getKey() + "' is not a string");
                }
                out.put(m.getKey(), m.getValue().textValue());
            }
        }

        private Entry entry(String name, JsonNode spec, long dataLen) {
            if (!spec.isObject()) {
                throw corrupt(file, "entry " + name + " is not an object");
            }
            JsonNode dtypeNode = spec.get("dtype");
            String dtype = dtypeNode != null && dtypeNode.isTextual() ? dtypeNode.textValue() : String.valueOf(dtypeNode);
            if (!F32.equals(dtype) && !I32.equals(dtype)) {
                throw corrupt(file, "tensor " + name + " has dtype " + dtype + "; ebm4j reads F32 and I32");
            }
            long[] shape = longs(name, "shape", spec.get("shape"));
            long[] range = longs(name, "data_offsets", spec.get("data_offsets"));
            if (shape.length > MAX_RANK) {
                throw corrupt(file, "tensor " + name + " has " + shape.length + " dimensions");
            }
            long elements = 1;
            try {
                for (long d : shape) {
                    if (d < 0) {
                        throw corrupt(file, "tensor " + name + " has a negative dimension");
                    }
                    elements = Math.multiplyExact(elements, d);
                }
                Math.multiplyExact(elements, 4L);
            } catch (ArithmeticException e) {
                throw corrupt(file, "tensor " + name + " of shape " + Arrays.toString(shape) + " is too large");
            }
            if (range.length != 2 || range[0] < 0 || range[1] < range[0] || range[1] > dataLen
                    || range[1] - range[0] != 4 * elements) {
                throw corrupt(file, "tensor " + name + " byte range " + Arrays.toString(range)
                        + " does not match shape " + Arrays.toString(shape) + " in " + dataLen + " data bytes"
                        + " (truncated file?)");
            }
            return new Entry(name, dtype, shape, elements, range[0], range[1]);
        }

        private long[] longs(String name, String what, JsonNode list) {
            if (list == null || !list.isArray()) {
                throw corrupt(file, "tensor " + name + " lacks its " + what + " list");
            }
            long[] out = new long[list.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode v = list.get(i);
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw corrupt(file, "tensor " + name + " has a " + what + " value that is not a 64-bit integer");
                }
                out[i] = v.longValue();
            }
            return out;
        }

        /** The format's rule: the tensors cover the data section exactly, in order, with no holes. */
        private void requireContiguous(java.util.Collection<Entry> entries, long dataLen) {
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long at = 0;
            for (Entry e : sorted) {
                if (e.begin() != at) {
                    throw corrupt(file, "tensor " + e.name() + " starts at byte " + e.begin() + ", expected " + at
                            + " (overlapping tensors or a gap in the data)");
                }
                at = e.end();
            }
            if (at != dataLen) {
                throw corrupt(file, "the tensors cover " + at + " of its " + dataLen + " data bytes"
                        + (at < dataLen ? " (bytes appended?)" : " (truncated file?)"));
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // reading is over; nothing was written that could be lost
        }
    }

    static UserException corrupt(Path file, String why) {
        return new UserException("checkpoint " + file + " is corrupt: " + why + "; use another checkpoint or retrain");
    }
}
