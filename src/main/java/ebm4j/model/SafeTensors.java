package ebm4j.model;

import ebm4j.UserException;
import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
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
 */
public final class SafeTensors {
    /** A tensor: exactly one of floats/ints is non-null. */
    public record Tensor(long[] shape, float[] floats, int[] ints) {
        public static Tensor of(float[] data, long... shape) {
            return new Tensor(shape, data, null);
        }

        public static Tensor ofInts(int[] data, long... shape) {
            return new Tensor(shape, null, data);
        }

        String dtype() {
            return floats != null ? "F32" : "I32";
        }

        int length() {
            return floats != null ? floats.length : ints.length;
        }
    }

    /** A file's tensors in header order and its string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private static final long MAX_HEADER = 100L << 20;

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
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
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

    /** Reads a whole file; every structural problem is a {@link UserException} naming the file. */
    public static Contents read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserException("checkpoint file " + file + " does not exist");
        } catch (IOException e) {
            throw new UserException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 8) {
            throw corrupt(file, "shorter than its 8-byte header length");
        }
        long headerLen = buf.getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > all.length) {
            throw corrupt(file, "header length " + headerLen + " does not fit a " + all.length + "-byte file");
        }
        String json = new String(all, 8, (int) headerLen, StandardCharsets.UTF_8);
        JsonNode header;
        try {
            header = Json.read(json.trim());
        } catch (IllegalArgumentException e) {
            throw corrupt(file, "header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!header.isObject()) {
            throw corrupt(file, "header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataLen = all.length - dataStart;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                e.getValue().properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, tensor(file, name, e.getValue(), buf, dataStart, dataLen));
        }
        return new Contents(tensors, metadata);
    }

    private static Tensor tensor(Path file, String name, JsonNode spec, ByteBuffer buf, long dataStart,
                                 long dataLen) {
        if (!spec.isObject()) {
            throw corrupt(file, "entry " + name + " is not an object");
        }
        String dtype = spec.path("dtype").asText();
        if (!"F32".equals(dtype) && !"I32".equals(dtype)) {
            throw corrupt(file, "tensor " + name + " has dtype " + spec.get("dtype") + "; ebm4j reads F32 and I32");
        }
        long[] shape = longs(file, name, spec.get("shape"));
        long[] range = longs(file, name, spec.get("data_offsets"));
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw corrupt(file, "tensor " + name + " has a negative dimension");
            }
            count = Math.multiplyExact(count, d);
        }
        if (range.length != 2 || range[0] < 0 || range[1] > dataLen || range[1] - range[0] != 4 * count) {
            throw corrupt(file, "tensor " + name + " byte range " + Arrays.toString(range)
                    + " does not match shape " + Arrays.toString(shape) + " in " + dataLen + " data bytes"
                    + " (truncated file?)");
        }
        ByteBuffer view = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        view.position((int) (dataStart + range[0]));
        if ("F32".equals(dtype)) {
            float[] data = new float[(int) count];
            view.asFloatBuffer().get(data);
            return new Tensor(shape, data, null);
        }
        int[] data = new int[(int) count];
        view.asIntBuffer().get(data);
        return new Tensor(shape, null, data);
    }

    private static long[] longs(Path file, String name, JsonNode list) {
        if (list == null || !list.isArray()) {
            throw corrupt(file, "tensor " + name + " lacks a shape or data_offsets list");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!list.get(i).isIntegralNumber() || !list.get(i).canConvertToLong()) {
                throw corrupt(file, "tensor " + name + " has a shape or offset that is not a 64-bit integer");
            }
            out[i] = list.get(i).longValue();
        }
        return out;
    }

    private static UserException corrupt(Path file, String why) {
        return new UserException("checkpoint " + file + " is corrupt: " + why
                + "; use another checkpoint or retrain");
    }
}
