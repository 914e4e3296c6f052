package ebm4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Builds tiny IDX files for tests. */
final class IdxFiles {
    private IdxFiles() {}

    /** Header (00 00 type rank, sizes) followed by {@code payload}. */
    static byte[] idx(int type, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(payload).array();
    }

    /** A well-formed unsigned-byte IDX file of the given shape; payload bytes are {@code i * 7}. */
    static byte[] ubyte(int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        byte[] payload = new byte[n];
        for (int i = 0; i < n; i++) {
            payload[i] = (byte) (i * 7);
        }
        return idx(0x08, dims, payload);
    }

    /** n images of 28x28 whose pixels all equal {@code pixel[i]}. */
    static byte[] images(int... pixel) {
        byte[] payload = new byte[pixel.length * 784];
        for (int i = 0; i < pixel.length; i++) {
            Arrays.fill(payload, i * 784, (i + 1) * 784, (byte) pixel[i]);
        }
        return idx(0x08, new int[] {pixel.length, 28, 28}, payload);
    }

    static byte[] labels(int... labels) {
        byte[] payload = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            payload[i] = (byte) labels[i];
        }
        return idx(0x08, new int[] {labels.length}, payload);
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
